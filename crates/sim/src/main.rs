//! `clickdial-sim [--port N]`: the simulator with the demo account, in the foreground.

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let mut port = 0u16;
    while let Some(a) = args.next() {
        match (a.as_str(), args.next().map(|p| p.parse::<u16>())) {
            ("--port", Some(Ok(p))) => port = p,
            _ => {
                eprintln!("usage: clickdial-sim [--port N]");
                std::process::exit(2);
            }
        }
    }
    if let Err(e) = clickdial_sim::run_foreground(port).await {
        eprintln!("clickdial-sim: {e}");
        std::process::exit(1);
    }
}
