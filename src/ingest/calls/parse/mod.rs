//! Decoding, format detection and the row loop shared by every preset.

mod asterisk;
mod custom;
mod decode;
mod mapped;
mod number;
mod record;
mod teams;
mod threecx;
mod time;
mod values;

use super::{CallContext, CallLog, CallLogError, FormatChoice, RowError};
use csv::StringRecord;
use record::{Builder, CallFacts};
use time::TimeReader;
use values::header_key;

/// A reader ready for rows.
enum Reader {
    Asterisk(asterisk::Asterisk),
    Mapped(mapped::Mapped),
    Teams(teams::Teams),
    ThreeCx(threecx::ThreeCx),
}

impl Reader {
    fn facts<'a>(&'a self, rec: &'a StringRecord) -> Result<CallFacts<'a>, String> {
        match self {
            Reader::Asterisk(r) => r.facts(rec),
            Reader::Mapped(r) => r.facts(rec),
            Reader::Teams(r) => r.facts(rec),
            Reader::ThreeCx(r) => r.facts(rec),
        }
    }
}

/// A compiled format: its name, how to split the file, and the row reader.
struct Plan {
    format: String,
    delimiter: u8,
    has_header: bool,
    reader: Reader,
}

fn csv_reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes())
}

/// The first non-blank record, split with `delimiter`.
fn first_record(text: &str, delimiter: u8) -> Option<StringRecord> {
    let mut reader = csv_reader(text, delimiter);
    let mut rec = StringRecord::new();
    while reader.read_record(&mut rec).ok()? {
        if !is_blank(&rec) {
            return Some(rec);
        }
    }
    None
}

fn is_blank(rec: &StringRecord) -> bool {
    rec.iter().all(|c| c.trim().is_empty())
}

fn keys(rec: &StringRecord) -> Vec<String> {
    rec.iter().map(header_key).collect()
}

fn header_text(rec: &StringRecord) -> String {
    let names: Vec<&str> = rec.iter().map(str::trim).take(30).collect();
    let text = names.join(", ");
    if text.chars().count() > 300 {
        format!("{}…", text.chars().take(300).collect::<String>())
    } else {
        text
    }
}

fn preset_plan(
    choice: &FormatChoice,
    first: &StringRecord,
    file: &str,
    ctx: &CallContext,
) -> Result<Plan, CallLogError> {
    let keys = keys(first);
    let missing = |format: &str, missing: String| CallLogError::MissingColumns {
        file: file.to_string(),
        format: format.to_string(),
        missing,
        header: header_text(first),
    };
    let headed = |format: &str, reader: Reader| Plan {
        format: format.to_string(),
        delimiter: b',',
        has_header: true,
        reader,
    };
    Ok(match choice {
        FormatChoice::Asterisk => Plan {
            format: "asterisk".to_string(),
            delimiter: b',',
            has_header: false,
            reader: Reader::Asterisk(asterisk::Asterisk::new(ctx)),
        },
        FormatChoice::Teams => headed(
            "teams",
            Reader::Teams(teams::Teams::new(&keys).map_err(|m| missing("teams", m))?),
        ),
        FormatChoice::ThreeCx if threecx::looks_like(&keys) => headed(
            "3cx",
            Reader::ThreeCx(
                threecx::ThreeCx::new(&keys, TimeReader::new(ctx.tz, None))
                    .map_err(|m| missing("3cx", m))?,
            ),
        ),
        FormatChoice::ThreeCx | FormatChoice::Export => {
            let format = if *choice == FormatChoice::Export {
                "export"
            } else {
                "3cx"
            };
            let cols = mapped::Columns::export(&keys);
            if let Some(m) = cols.missing() {
                return Err(missing(format, m));
            }
            let time = TimeReader::new(ctx.tz, None);
            headed(
                format,
                Reader::Mapped(mapped::Mapped::new(
                    cols,
                    Some(first),
                    time,
                    Vec::new(),
                    Vec::new(),
                )),
            )
        }
        FormatChoice::Auto | FormatChoice::Custom(_) => {
            return Err(CallLogError::NoFormatName);
        }
    })
}

/// Chooses a format for `auto`: configured mappings whose header names are all present
/// first (an operator's mapping is more specific than a preset), then Teams, 3CX and export
/// headers, then the header-less Asterisk shape.
fn detect(text: &str, file: &str, ctx: &CallContext) -> Result<Plan, CallLogError> {
    for format in ctx.formats.iter().filter(|f| f.has_header) {
        let Some(delimiter) = custom::delimiter(format) else {
            continue;
        };
        if let Some(first) = first_record(text, delimiter) {
            if custom::header_matches(format, &keys(&first)) {
                return custom::plan(format, Some(&first), ctx);
            }
        }
    }
    let first = first_record(text, b',').ok_or_else(|| CallLogError::Empty {
        file: file.to_string(),
    })?;
    let keys = keys(&first);
    let choice = if teams::looks_like(&keys) {
        FormatChoice::Teams
    } else if threecx::looks_like(&keys) {
        FormatChoice::ThreeCx
    } else if mapped::Columns::export(&keys).missing().is_none() {
        FormatChoice::Export
    } else if asterisk::looks_like(&first) {
        FormatChoice::Asterisk
    } else {
        let line = first.get(0).unwrap_or("");
        let text_like = !line.chars().any(|c| c.is_control() && c != '\t');
        let separated = text_like && [';', '\t', '|'].iter().any(|c| line.contains(*c));
        let why = if first.len() < 3 && separated {
            "the first line is not split by commas; a file separated by `;`, tabs or `|` needs a [[calls.formats]] mapping with `delimiter`".to_string()
        } else if first.len() < 3 {
            format!(
                "the first line has {} column(s), which no call log format has",
                first.len()
            )
        } else {
            format!(
                "the first line ({}) is neither a header this version knows nor an Asterisk Master.csv row",
                header_text(&first)
            )
        };
        return Err(CallLogError::UnknownFormat {
            file: file.to_string(),
            why,
        });
    };
    preset_plan(&choice, &first, file, ctx)
}

/// Parses a call log; see [`super::parse_call_log`].
pub(super) fn parse(
    bytes: &[u8],
    file: &str,
    choice: &FormatChoice,
    ctx: &CallContext,
) -> Result<CallLog, CallLogError> {
    let text = decode::text(bytes);
    if text.trim().is_empty() {
        return Err(CallLogError::Empty {
            file: file.to_string(),
        });
    }
    let plan = match choice {
        FormatChoice::Auto => detect(&text, file, ctx)?,
        FormatChoice::Custom(name) => {
            let format = ctx
                .formats
                .iter()
                .find(|f| f.name.eq_ignore_ascii_case(name))
                .ok_or_else(|| CallLogError::UnknownCustomFormat {
                    name: name.clone(),
                    known: if ctx.formats.is_empty() {
                        "(none configured)".to_string()
                    } else {
                        ctx.formats
                            .iter()
                            .map(|f| f.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                })?;
            let delimiter = custom::delimiter(format).unwrap_or(b',');
            let first = first_record(&text, delimiter);
            custom::plan(format, first.as_ref().filter(|_| format.has_header), ctx)?
        }
        preset => {
            let first = first_record(&text, b',').ok_or_else(|| CallLogError::Empty {
                file: file.to_string(),
            })?;
            preset_plan(preset, &first, file, ctx)?
        }
    };
    Ok(run(&text, file, &plan, ctx))
}

fn run(text: &str, file: &str, plan: &Plan, ctx: &CallContext) -> CallLog {
    let mut reader = csv_reader(text, plan.delimiter);
    let mut rec = StringRecord::new();
    let mut builder = Builder::new(ctx, file, &plan.format);
    let mut rows = Vec::with_capacity(text.len() / 96 + 1);
    let mut header_pending = plan.has_header;
    let mut row = 0;
    loop {
        match reader.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) if is_blank(&rec) => continue,
            Ok(true) if header_pending => header_pending = false,
            Ok(true) => {
                row += 1;
                let parsed = plan
                    .reader
                    .facts(&rec)
                    .and_then(|facts| builder.build(row, &facts));
                rows.push(parsed.map_err(|reason| RowError { row, reason }));
            }
            Err(e) => {
                row += 1;
                rows.push(Err(RowError {
                    row,
                    reason: format!("cannot be read as CSV: {e}"),
                }));
                if e.is_io_error() {
                    break;
                }
            }
        }
    }
    CallLog {
        format: plan.format.clone(),
        rows,
    }
}
