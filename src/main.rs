use std::process::ExitCode;

use clap::Parser;
use cmg_preflight::cli::{Args, Command};
use cmg_preflight::report::style::Style;
use cmg_preflight::run;

fn main() -> ExitCode {
    let mut args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            // clap's help and version are successes; every other parse error is a usage error.
            return ExitCode::from(if e.use_stderr() {
                run::EXIT_INPUT
            } else {
                run::EXIT_OK
            });
        }
    };
    if let Command::Check(c) = &mut args.command {
        c.input.exit_after = true;
    }
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    let code = match &args.command {
        Command::Check(c) => run::check(c, &Style::detect(c.color, c.ascii), &mut out, &mut err),
        Command::Rules(r) => run::rules(r, &mut out, &mut err),
        Command::Explain(e) => run::explain(e, &mut out, &mut err),
        Command::Init(i) => run::init(i, &mut out, &mut err),
        Command::Media(m) => run::media(m, &mut out, &mut err),
        Command::Fix(f) => run::fix(f, &mut out, &mut err),
        Command::Diff(d) => cmg_preflight::diff::run(d, &mut out, &mut err),
    };
    ExitCode::from(code)
}
