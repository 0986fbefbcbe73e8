//! How the simulator's rows look. By default, the shapes real accounts send (servetel-api.md
//! §5.6, `shared/real-shapes/`): live rows with the agent's mobile in `source` and the customer
//! alone in `destination`, UUID call ids, customer numbers with the country code, call-record
//! filters ignored. The docs sample's shape and the documented filters stay available.

/// Which numbers a live row puts where, and what its call ids look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Legs {
    /// A captured Smartflo row: the agent's mobile in `source`, the customer alone in
    /// `destination` in every state, `call_id` a UUID equal to `channel_id`.
    Real,
    /// Like [`Legs::Real`], with the agent's softphone extension in `source` instead of their
    /// mobile (another client's fixture): `/v1/users` lists no extension, `/v1/user/{id}` has it.
    Extension,
    /// The docs sample: the DID in `source`; `destination` is the agent's number while only
    /// their phone rings, then `"<agent>,+<customer>"`; `call_id` is `epoch.seq`; call
    /// records name the agent by EID.
    DocsSample,
}

/// How `customer_number` is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerForm {
    /// The last ten digits (`9876543210`).
    Ten,
    /// With the country code (`919876543210`).
    CountryCode,
    /// With a leading trunk `0` (`09876543210`).
    TrunkZero,
}

/// Which `/v1/call/records` filters the server applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordFilters {
    /// None: every record comes back, paged (as some accounts do with `destination`).
    Ignored,
    /// The documented `from_date` / `to_date`.
    Dates,
    /// Dates, `call_id` and `callerid` (Acefone UK's pages document `call_id`).
    All,
}

/// The shapes served now; tests change them with [`crate::Sim::set_shapes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shapes {
    pub legs: Legs,
    pub customer_number: CustomerForm,
    pub record_filters: RecordFilters,
    /// Call records oldest first (the order is not documented); newest first otherwise.
    pub records_oldest_first: bool,
    /// A call is listed only once its agent answered (the seed says `call_id` exists only
    /// then): while the agent's phone rings, or when it is never answered, it is not listed.
    pub listed_once_agent_answers: bool,
}

impl Default for Shapes {
    fn default() -> Shapes {
        Shapes {
            legs: Legs::Real,
            customer_number: CustomerForm::CountryCode,
            record_filters: RecordFilters::Ignored,
            records_oldest_first: false,
            listed_once_agent_answers: false,
        }
    }
}

impl Shapes {
    /// The simulator's first shapes, from the docs sample: 10-digit customer numbers, every
    /// record filter applied, newest first.
    pub fn docs_sample() -> Shapes {
        Shapes {
            legs: Legs::DocsSample,
            customer_number: CustomerForm::Ten,
            record_filters: RecordFilters::All,
            records_oldest_first: false,
            listed_once_agent_answers: false,
        }
    }
}

impl CustomerForm {
    /// `customer` (digits with the country code) as this form writes it.
    pub(crate) fn write(self, customer: &str) -> String {
        let last10 = &customer[customer.len().saturating_sub(10)..];
        match self {
            CustomerForm::Ten => last10.to_string(),
            CustomerForm::CountryCode => customer.to_string(),
            CustomerForm::TrunkZero => format!("0{last10}"),
        }
    }
}
