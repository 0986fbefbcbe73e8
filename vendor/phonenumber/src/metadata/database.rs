// Copyright (C) 2017 1aim GmbH
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
// http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

use crate::error;
use crate::metadata::loader;
use crate::metadata::Pattern;
use crate::Metadata;
use fnv::FnvHashMap;
use once_cell::sync::Lazy;
use std::borrow::Borrow;
use std::fs::File;
use std::hash::Hash;
use std::io::{BufReader, Cursor};
use std::path::Path;
use std::sync::OnceLock;

const DATABASE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/database.bin"));

/// The Google provided metadata database, used as default.
///
/// Its patterns were checked when the crate was built (build.rs), so they are not parsed
/// again here (Clickdial's patch: that took 0.2 s of every process's first number).
pub static DEFAULT: Lazy<Database> = Lazy::new(Database::built_in);

// `INDEX`: each region's id, country code, whether it is the code's main country, and where its
// bytes lie in `DATABASE` (build.rs).
include!(concat!(env!("OUT_DIR"), "/database_index.rs"));

/// Representation of a database of metadata for phone number.
#[derive(Clone, Debug)]
pub struct Database {
    entries: Vec<Entry>,
    by_id: FnvHashMap<String, usize>,
    by_code: FnvHashMap<u16, Vec<usize>>,
    regions: FnvHashMap<u16, Vec<String>>,
}

/// One region: its metadata, decoded from `bytes` on first use in the built-in database, or
/// set from the start in one loaded from XML.
#[derive(Clone, Debug)]
struct Entry {
    meta: OnceLock<super::Metadata>,
    bytes: &'static [u8],
}

impl Database {
    /// Load a database from the given file.
    pub fn load<P: AsRef<Path>>(path: P) -> Result<Self, error::LoadMetadata> {
        Database::from(loader::load(BufReader::new(File::open(path)?))?)
    }

    /// Parse a database from the given string.
    pub fn parse<S: AsRef<str>>(content: S) -> Result<Self, error::LoadMetadata> {
        Database::from(loader::load(Cursor::new(content.as_ref()))?)
    }

    /// Create a database from a loaded database.
    pub fn from(meta: Vec<loader::Metadata>) -> Result<Self, error::LoadMetadata> {
        Database::build(meta, true)
    }

    /// [`Database::from`], checking every pattern's syntax first when `check` (metadata that
    /// did not come through build.rs).
    fn build(meta: Vec<loader::Metadata>, check: bool) -> Result<Self, error::LoadMetadata> {
        let mut database = Database::empty();
        for meta in meta {
            let meta = convert(meta, check)?;
            let (id, code, main) = (meta.id.clone(), meta.country_code, meta.main_country_for_code);
            database.entries.push(Entry {
                meta: OnceLock::from(meta),
                bytes: &[],
            });
            database.index(&id, code, main);
        }
        Ok(database)
    }

    /// The built-in database: an index of the regions, each decoded from its own bytes the
    /// first time a number needs it (Clickdial's patch: every process decoded all 254 regions
    /// at its first number, to read numbers of one or two).
    fn built_in() -> Self {
        let mut database = Database::empty();
        for &(id, code, main, start, end) in INDEX {
            database.entries.push(Entry {
                meta: OnceLock::new(),
                bytes: &DATABASE[start..end],
            });
            database.index(id, code, main);
        }
        database
    }

    fn empty() -> Self {
        Database {
            entries: Vec::new(),
            by_id: FnvHashMap::default(),
            by_code: FnvHashMap::default(),
            regions: FnvHashMap::default(),
        }
    }

    /// Files the last entry under its id and country code (the main country first).
    fn index(&mut self, id: &str, code: u16, main: bool) {
        let entry = self.entries.len() - 1;
        self.by_id.insert(id.to_string(), entry);
        let by_code = self.by_code.entry(code).or_default();
        let regions = self.regions.entry(code).or_default();
        if main {
            by_code.insert(0, entry);
            regions.insert(0, id.to_string());
        } else {
            by_code.push(entry);
            regions.push(id.to_string());
        }
    }

    /// The metadata of one entry, decoded on first use.
    fn entry(&self, entry: usize) -> &super::Metadata {
        let Entry { meta, bytes } = &self.entries[entry];
        meta.get_or_init(|| {
            // Checked by build.rs: the bytes are ours, and their patterns valid.
            let raw = postcard::from_bytes(bytes).expect("built-in phone metadata");
            convert(raw, false).expect("built-in phone metadata")
        })
    }

    /// Get a metadata entry by country ID.
    pub fn by_id<Q>(&self, key: &Q) -> Option<&super::Metadata>
    where
        Q: ?Sized + Hash + Eq,
        String: Borrow<Q>,
    {
        self.by_id.get(key).map(|&entry| self.entry(entry))
    }

    /// Get metadata entries by country code.
    pub fn by_code<Q>(&self, key: &Q) -> Option<Vec<&super::Metadata>>
    where
        Q: ?Sized + Hash + Eq,
        u16: Borrow<Q>,
    {
        self.by_code
            .get(key)
            .map(|m| m.iter().map(|&entry| self.entry(entry)).collect())
    }

    /// Get all country IDs corresponding to the given country code.
    pub fn region<Q>(&self, code: &Q) -> Option<Vec<&str>>
    where
        Q: ?Sized + Hash + Eq,
        u16: Borrow<Q>,
    {
        self.regions
            .get(code)
            .map(|m| m.iter().map(AsRef::as_ref).collect())
    }

    /// How many regions have been decoded so far (all of them in a database loaded from XML).
    pub fn decoded(&self) -> usize {
        self.entries.iter().filter(|e| e.meta.get().is_some()).count()
    }

    /// How many regions this database has.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether this database has no regions.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Iterator over all `Metadata` entries in this database.
    pub fn iter(&self) -> impl Iterator<Item = &Metadata> {
        (0..self.entries.len()).map(|entry| self.entry(entry))
    }
}

/// One region's metadata from its loaded form, its patterns compiled on first use.
fn convert(
    meta: loader::Metadata,
    check: bool,
) -> Result<super::Metadata, error::LoadMetadata> {
        fn tranpose<T, E>(value: Option<Result<T, E>>) -> Result<Option<T>, E> {
        match value {
            None => Ok(None),

            Some(Ok(value)) => Ok(Some(value)),

            Some(Err(err)) => Err(err),
        }
    }

    let regex = |value: String| -> Result<Pattern, error::LoadMetadata> {
        Ok(if check {
            Pattern::new(&value)?
        } else {
            // build.rs compiled it with the same options.
            Pattern::checked(value)
        })
    };

    let descriptor =
        |desc: loader::Descriptor| -> Result<super::Descriptor, error::LoadMetadata> {
            desc.national_number.as_ref().unwrap();
            desc.national_number.as_ref().unwrap();

            Ok(super::Descriptor {
                national_number: desc
                    .national_number
                    .ok_or_else(|| {
                        error::LoadMetadata::from(error::Metadata::MissingValue {
                            phase: "descriptor".into(),
                            name: "national_number".into(),
                        })
                    })
                    // The whole number must match, as in libphonenumber's
                    // matchNationalNumber; `is_match` only checked where a match began.
                    .and_then(|p| regex(format!("^(?:{p}\n)$")))?,

                possible_length: desc.possible_length,
                possible_local_length: desc.possible_local_length,
                example: desc.example,
            })
        };

    let format = |format: loader::Format| -> Result<super::Format, error::LoadMetadata> {
        Ok(super::Format {
            pattern: format
                .pattern
                .ok_or_else(|| {
                    error::LoadMetadata::from(error::Metadata::MissingValue {
                        phase: "format".into(),
                        name: "pattern".into(),
                    })
                })
                .and_then(regex)?,

            format: format.format.ok_or_else(|| {
                error::LoadMetadata::from(error::Metadata::MissingValue {
                    phase: "format".into(),
                    name: "format".into(),
                })
            })?,

            leading_digits: format
                .leading_digits
                .into_iter()
                .map(&regex)
                .collect::<Result<_, _>>()?,

            national_prefix: format.national_prefix_formatting_rule,
            national_prefix_optional: format.national_prefix_optional_when_formatting,

            domestic_carrier: format.domestic_carrier,
        })
    };

    let metadata = |meta: loader::Metadata| -> Result<super::Metadata, error::LoadMetadata> {
        Ok(super::Metadata {
            descriptors: super::Descriptors {
                general: descriptor(meta.general.ok_or_else(|| {
                    error::LoadMetadata::from(error::Metadata::MissingValue {
                        phase: "metadata".into(),
                        name: "generalDesc".into(),
                    })
                })?)?,

                fixed_line: tranpose(meta.fixed_line.map(descriptor))?,
                mobile: tranpose(meta.mobile.map(descriptor))?,
                toll_free: tranpose(meta.toll_free.map(descriptor))?,
                premium_rate: tranpose(meta.premium_rate.map(descriptor))?,
                shared_cost: tranpose(meta.shared_cost.map(descriptor))?,
                personal_number: tranpose(meta.personal_number.map(descriptor))?,
                voip: tranpose(meta.voip.map(descriptor))?,
                pager: tranpose(meta.pager.map(descriptor))?,
                uan: tranpose(meta.uan.map(descriptor))?,
                emergency: tranpose(meta.emergency.map(descriptor))?,
                voicemail: tranpose(meta.voicemail.map(descriptor))?,
                short_code: tranpose(meta.short_code.map(descriptor))?,
                standard_rate: tranpose(meta.standard_rate.map(descriptor))?,
                carrier: tranpose(meta.carrier.map(descriptor))?,
                no_international: tranpose(meta.no_international.map(descriptor))?,
            },

            id: meta.id.ok_or_else(|| {
                error::LoadMetadata::from(error::Metadata::MissingValue {
                    phase: "metadata".into(),
                    name: "id".into(),
                })
            })?,

            country_code: meta.country_code.ok_or_else(|| {
                error::LoadMetadata::from(error::Metadata::MissingValue {
                    phase: "metadata".into(),
                    name: "countryCode".into(),
                })
            })?,

            international_prefix: tranpose(meta.international_prefix.map(regex))?,
            preferred_international_prefix: meta.preferred_international_prefix,
            national_prefix: meta.national_prefix,
            preferred_extension_prefix: meta.preferred_extension_prefix,
            national_prefix_for_parsing: tranpose(meta.national_prefix_for_parsing.map(regex))?,
            national_prefix_transform_rule: meta.national_prefix_transform_rule,

            formats: meta
                .formats
                .into_iter()
                .map(&format)
                .collect::<Result<_, _>>()?,
            international_formats: meta
                .international_formats
                .into_iter()
                .map(&format)
                .collect::<Result<_, _>>()?,

            main_country_for_code: meta.main_country_for_code,
            leading_digits: tranpose(meta.leading_digits.map(regex))?,
            mobile_number_portable: meta.mobile_number_portable,
        })
    };

    metadata(meta)
}
