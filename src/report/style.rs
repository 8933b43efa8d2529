//! How the terminal output looks: colour, Unicode or ASCII, and width. Decided once from the
//! flags, `NO_COLOR`, `TERM` and `COLUMNS` (miette's own detection ignores `COLUMNS` and keeps
//! Unicode on dumb terminals).

use std::io::IsTerminal;

use miette::{GraphicalReportHandler, GraphicalTheme, ThemeCharacters, ThemeStyles};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub unicode: bool,
    pub width: usize,
}

impl Style {
    pub fn detect(choice: ColorChoice, ascii: bool) -> Self {
        let tty = std::io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color && !dumb,
        };
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .filter(|w: &usize| *w >= 20)
            .unwrap_or(100);
        Style {
            color,
            unicode: !ascii && !dumb,
            width,
        }
    }

    /// Fixed style for tests and snapshots.
    pub fn plain(width: usize) -> Self {
        Style {
            color: false,
            unicode: false,
            width,
        }
    }

    pub fn handler(&self) -> GraphicalReportHandler {
        let theme = GraphicalTheme {
            characters: if self.unicode {
                ThemeCharacters::unicode()
            } else {
                ThemeCharacters::ascii()
            },
            styles: if self.color {
                ThemeStyles::ansi()
            } else {
                ThemeStyles::none()
            },
        };
        GraphicalReportHandler::new_themed(theme)
            .with_width(self.width)
            .with_links(false)
            .with_show_related_as_nested(true)
            .with_context_lines(1)
    }
}
