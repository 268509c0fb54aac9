//! The command line. Every command takes `--config FILE` (or `TIDINGS_CONFIG`).

use crate::ingest::imap::client::SinceDate;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Tidings: a neutral, evidence-based contact log from mailboxes, call logs and letters.
#[derive(Debug, Parser)]
#[command(name = "tidings", version, about)]
pub struct Cli {
    /// Config file (default: config/tidings.toml when present, else built-in defaults).
    #[arg(long, global = true, env = "TIDINGS_CONFIG")]
    pub config: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the daemon: sources, flag evaluation, digest schedule, outbox, HTTP.
    Run {
        /// Drain every source once, run due work (flags, digest, outbox) and exit.
        #[arg(long)]
        once: bool,
        /// Put a bundled sample inbox in the drop folder first (when it is empty).
        #[arg(long)]
        demo: bool,
        /// Read only mail received on or after this date, for every IMAP account (overrides
        /// each account's `since`); older mail is skipped for good.
        #[arg(long, value_name = "YYYY-MM-DD")]
        since: Option<SinceDate>,
    },
    /// One-off import of a mail archive or a call-log export.
    Import {
        /// Archive format and path.
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// The weekly digest.
    Digest {
        /// Preview or send.
        #[command(subcommand)]
        what: DigestCommand,
    },
    /// Export the contact log to stdout.
    Export {
        /// Which table.
        what: ExportTable,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
    },
    /// Advisory flags: list, show, review (acknowledge or dismiss), recompute.
    Flags {
        /// What to do.
        #[command(subcommand)]
        what: FlagsCommand,
    },
    /// Items that could not be read.
    Quarantine {
        /// List or retry.
        #[command(subcommand)]
        what: QuarantineCommand,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Configuration tools.
    Config {
        /// Check the configuration.
        #[command(subcommand)]
        what: ConfigCommand,
    },
    /// Per-source reconciliation, the OCR queue and store totals.
    Status,
    /// File notes.
    Note {
        /// What to do.
        #[command(subcommand)]
        what: NoteCommand,
    },
    /// Customers in the contact log.
    Customers {
        /// What to do.
        #[command(subcommand)]
        what: CustomersCommand,
    },
    /// Items in the contact log.
    Items {
        /// What to do.
        #[command(subcommand)]
        what: ItemsCommand,
    },
    /// Contact arrangements decided by a case conference (docs/arrangements.md).
    Arrangements {
        /// What to do.
        #[command(subcommand)]
        what: ArrangementsCommand,
    },
    /// Staff availability, for the deputy rule of single-point-of-contact routing.
    Staff {
        /// What to do.
        #[command(subcommand)]
        what: StaffCommand,
    },
    /// Routing decisions about inbound mail under contact arrangements.
    Routing {
        /// What to do.
        #[command(subcommand)]
        what: RoutingCommand,
    },
    /// Outbound mail waiting, sent and given up on (dead letters).
    Outbox {
        /// What to do.
        #[command(subcommand)]
        what: OutboxCommand,
    },
    /// The link stage: possible links waiting for a person, and deciding everything again.
    Links {
        /// What to do.
        #[command(subcommand)]
        what: LinksCommand,
    },
    /// Measure end-to-end throughput (see docs/benchmarks.md).
    Bench {
        /// What to measure.
        #[command(subcommand)]
        what: BenchCommand,
    },
    /// Judge linking and flags: write labelled corpora, or score the store against their truth.
    Eval {
        /// What to do.
        #[command(subcommand)]
        what: EvalCommand,
    },
}

/// `tidings arrangements …`
#[derive(Debug, Subcommand)]
pub enum ArrangementsCommand {
    /// Record an arrangement a case conference decided (authorised by a director).
    Add(ArrangementAddArgs),
    /// Print one arrangement with its full history.
    Show {
        /// The arrangement's number.
        id: i64,
    },
    /// List arrangements (every one, with its status today).
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        /// Only this customer's.
        #[arg(long)]
        customer: Option<String>,
    },
    /// Renew an arrangement at its review, with reasons (also after it lapsed).
    Renew {
        /// The arrangement's number.
        id: i64,
        /// The director authorising it to continue.
        #[arg(long)]
        authorised_by: String,
        /// Why it continues: describe what happened since, not the person.
        #[arg(long)]
        reasons: String,
        /// The next review date (default: three months from today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        review_on: Option<String>,
    },
    /// End an arrangement early, with reasons.
    End {
        /// The arrangement's number.
        id: i64,
        /// Who records it (email address).
        #[arg(long)]
        by: String,
        /// Why it ends.
        #[arg(long)]
        reasons: String,
    },
}

/// `tidings arrangements add` arguments.
#[derive(Debug, clap::Args)]
pub struct ArrangementAddArgs {
    /// The customer's key (`customer_key` in `tidings export customers`).
    #[arg(long)]
    pub customer: String,
    /// single-point-of-contact, proactive-contact, regular-meetings, mediation,
    /// written-contact-only, contact-suspended or enforcement.
    #[arg(long)]
    pub kind: String,
    /// The nominated staff member (required for single-point-of-contact and proactive-contact).
    #[arg(long)]
    pub nominated: Option<String>,
    /// Who stands in while the nominated person is absent.
    #[arg(long)]
    pub deputy: Option<String>,
    /// The director who authorised it (a director in the staff directory).
    #[arg(long)]
    pub authorised_by: String,
    /// The case-conference date.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub decided_on: String,
    /// Who attended the case conference, comma-separated addresses.
    #[arg(long)]
    pub attendees: String,
    /// Why: describe what happened, not the person.
    #[arg(long)]
    pub reasons: String,
    /// When the customer was told of it, its reasons and their right to a review.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub told_on: String,
    /// The review date (default: three months after --decided-on).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub review_on: Option<String>,
    /// Days between proactive contacts or meetings.
    #[arg(long)]
    pub frequency_days: Option<u32>,
}

/// List formats.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ListFormat {
    /// Aligned lines for people.
    Text,
    /// Comma-separated with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// `tidings staff …`
#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Mark a staff member absent (forwards go to their deputy meanwhile).
    Absent {
        /// Their work address.
        email: String,
        /// The last day of the absence.
        #[arg(long, value_name = "YYYY-MM-DD")]
        until: String,
        /// The first day (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
    },
    /// List staff absent today.
    Absences,
}

/// `tidings routing …`
#[derive(Debug, Subcommand)]
pub enum RoutingCommand {
    /// Routing decisions, newest first: routed, copied, or not routed and why.
    List {
        /// Also list mail from customers without an arrangement.
        #[arg(long)]
        all: bool,
        /// How many to list.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}

/// `tidings outbox …`
#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Outbox messages, newest first.
    List {
        /// Only `pending`, `sent` or `dead` (given up on) messages.
        #[arg(long, value_enum)]
        state: Option<OutboxStateArg>,
        /// How many to list.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Put dead letters back in the queue, due now; all when no id is given.
    Retry {
        /// Outbox id from `tidings outbox list`.
        id: Option<i64>,
    },
}

/// `tidings outbox list --state`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum OutboxStateArg {
    /// Waiting for an attempt.
    Pending,
    /// Delivered.
    Sent,
    /// Given up on.
    Dead,
}

/// `tidings eval …`
#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Write a labelled identity corpus: mail, call logs, letters, `tidings.toml`,
    /// `staff.csv` and `truth.jsonl` (who sent each item), deterministic from the seed.
    Corpus {
        /// The folder to write (created; its drop folders must be empty).
        #[arg(long)]
        out: PathBuf,
        /// People in the population.
        #[arg(long, default_value_t = 300)]
        people: usize,
        /// Seed: the same seed gives the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Write a labelled flags corpus: mail, `tidings.toml`, `staff.csv` and
    /// `flags-truth.jsonl` (the flags a reviewer expects), deterministic from the seed.
    FlagsCorpus {
        /// The folder to write (created; its drop folders must be empty).
        #[arg(long)]
        out: std::path::PathBuf,
        /// Seed: the same seed gives the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Score the store's flags against a flags truth file: precision and recall per kind,
    /// and support-context customers given a `language-review` flag.
    Flags {
        /// The truth (`flags-truth.jsonl` from `tidings eval flags-corpus`, or your own).
        #[arg(long)]
        truth: std::path::PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = EvalFormat::Text)]
        format: EvalFormat,
    },
    /// Score the store's customer links against a truth file (`item_ref` → person).
    Links {
        /// The truth (`truth.jsonl` from `tidings eval corpus`, or your own labels).
        #[arg(long)]
        truth: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = EvalFormat::Text)]
        format: EvalFormat,
    },
}

/// `tidings eval links` output formats.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum EvalFormat {
    /// Aligned lines for people.
    Text,
    /// One JSON object.
    Json,
}

/// `tidings import …`
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// A Maildir folder (with `cur/` and `new/`; `.Sub` folders included).
    Maildir {
        /// The Maildir root.
        path: PathBuf,
    },
    /// An mbox file.
    Mbox {
        /// The mbox file.
        path: PathBuf,
    },
    /// A telephone system's call-log export (CSV), read row by row.
    Calls {
        /// The export file.
        path: PathBuf,
        /// `auto` (detect), `asterisk` (cdr_csv Master.csv), `export` (a headed export),
        /// `teams` (Microsoft Teams PSTN usage), `3cx`, or a `[[calls.formats]]` name.
        #[arg(long, default_value = "auto")]
        format: String,
    },
}

/// `tidings note …`
#[derive(Debug, Subcommand)]
pub enum NoteCommand {
    /// Add a file note to a customer's history (the text from the argument or stdin).
    Add {
        /// The customer's key (see `tidings export customers`).
        #[arg(long)]
        customer: String,
        /// The staff member writing the note (email address).
        #[arg(long)]
        staff: String,
        /// The note; read from stdin when absent. Describe what happened, not the person.
        text: Option<String>,
    },
}

/// Who made a correction, and why (every correction is in the audit log).
#[derive(Debug, clap::Args)]
pub struct Decided {
    /// Why: what was checked (required; guard-checked — describe behaviour, never label).
    #[arg(long)]
    pub reason: String,
    /// Who decides (default: the login name from $USER).
    #[arg(long)]
    pub by: Option<String>,
}

/// `tidings customers …`
#[derive(Debug, Subcommand)]
pub enum CustomersCommand {
    /// Print one customer: identifiers, contact totals by channel, the latest items and the
    /// corrections made to it.
    Show {
        /// The customer's key (`customer_key` in the exports).
        key: String,
        /// How many of the latest items to list.
        #[arg(long, default_value_t = 20)]
        recent: i64,
    },
    /// Merge OTHER into KEEP (one person found under two keys); OTHER's key resolves to KEEP.
    Merge {
        /// The customer that stays.
        keep: String,
        /// The customer merged into it.
        other: String,
        /// Who decides and why.
        #[command(flatten)]
        decided: Decided,
    },
    /// Undo the merge of KEY: it is its own customer again.
    Unmerge {
        /// The merged customer's key.
        key: String,
        /// Who decides and why.
        #[command(flatten)]
        decided: Decided,
    },
    /// Move items of KEY to a new customer (another person linked by mistake).
    Split {
        /// The customer whose history holds the items.
        key: String,
        /// The items to move (`item_ref`s).
        #[arg(long, required = true, num_args = 1..)]
        items: Vec<String>,
        /// Who decides and why.
        #[command(flatten)]
        decided: Decided,
    },
}

/// `tidings items …`
#[derive(Debug, Subcommand)]
pub enum ItemsCommand {
    /// Print one item: its fields, link decision, details and kept text (a letter's text, a
    /// note).
    Show {
        /// The item's reference (`item_ref` in `tidings export items`).
        item_ref: String,
    },
    /// Link an item to another customer by a person's decision (never undone automatically).
    Relink {
        /// The item's reference.
        item_ref: String,
        /// The customer it belongs to.
        customer: String,
        /// Who decides and why.
        #[command(flatten)]
        decided: Decided,
    },
}

/// `tidings links …`
#[derive(Debug, Subcommand)]
pub enum LinksCommand {
    /// List possible links the rules would not make alone (`--all`: decided ones too).
    Review {
        /// Include accepted and rejected candidates.
        #[arg(long)]
        all: bool,
    },
    /// Accept a candidate: the item's customer is merged into the candidate.
    Accept {
        /// Review id from `tidings links review`.
        id: i64,
        /// Who decides and why.
        #[command(flatten)]
        decided: Decided,
    },
    /// Reject a candidate: the two stay different customers and it is not proposed again.
    Reject {
        /// Review id from `tidings links review`.
        id: i64,
        /// Who decides and why.
        #[command(flatten)]
        decided: Decided,
    },
    /// Decide every item again from what it was found with, in the order the contacts
    /// happened (after a rule or directory change); people's decisions stay.
    Recompute,
}

/// `tidings digest …`
#[derive(Debug, Subcommand)]
pub enum DigestCommand {
    /// Print the digest that would be sent now, without sending or recording it.
    Preview {
        /// Print the HTML version instead of plain text.
        #[arg(long)]
        html: bool,
    },
    /// Send a digest now to every recipient (through the outbox) and record it.
    Send,
}

/// `tidings quarantine …`
#[derive(Debug, Subcommand)]
pub enum QuarantineCommand {
    /// List open quarantine entries with their reasons.
    List {
        /// Also list released and dismissed entries, with who dismissed them, when and why.
        #[arg(long)]
        all: bool,
    },
    /// Read quarantined items again (after a fix or config change); all when no id is given.
    Retry {
        /// Quarantine id from `tidings quarantine list`.
        id: Option<i64>,
    },
    /// Close an entry that needs nothing more, saying why; it stays in `list --all`.
    Dismiss {
        /// Quarantine id from `tidings quarantine list`.
        id: i64,
        /// What was checked and why nothing more is needed (required; describe, never label).
        #[arg(long)]
        note: String,
        /// Who dismisses it (default: the login name from $USER).
        #[arg(long)]
        by: Option<String>,
    },
}

/// `tidings flags …`
#[derive(Debug, Subcommand)]
pub enum FlagsCommand {
    /// List unexpired flags, newest first (open ones unless `--all`).
    List {
        /// Only this kind, e.g. `contact-volume` or `safety`.
        #[arg(long)]
        kind: Option<String>,
        /// Also list acknowledged and dismissed flags.
        #[arg(long)]
        all: bool,
    },
    /// Show one flag: figures in words, window, threshold, evidence, context and replies.
    Show {
        /// Flag id from `tidings flags list`.
        id: i64,
    },
    /// Acknowledge an open flag: a person has looked at it and will act on it.
    Ack {
        /// Flag id from `tidings flags list`.
        id: i64,
        /// What was looked at and what happens next (required; describe, never label).
        #[arg(long)]
        note: String,
        /// Who reviews it (default: the login name from $USER).
        #[arg(long)]
        by: Option<String>,
    },
    /// Dismiss an open flag: a person looked at it and nothing needs doing. It is not raised
    /// again on the same evidence.
    Dismiss {
        /// Flag id from `tidings flags list`.
        id: i64,
        /// Why nothing needs doing (required; describe, never label).
        #[arg(long)]
        note: String,
        /// Who reviews it (default: the login name from $USER).
        #[arg(long)]
        by: Option<String>,
    },
    /// Judge the whole stored history again (after changing thresholds or the lexicon).
    Recompute,
}

/// `tidings config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Load and check the configuration; print the effective store and sources.
    Check,
}

/// `tidings bench …`
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Generate N typical messages as a Maildir and time `import maildir` into a fresh store.
    Maildir {
        /// Messages to generate.
        #[arg(long, default_value_t = 20_000)]
        messages: usize,
        /// Also generate this many messages with a 25 MB attachment (memory bound check).
        #[arg(long, default_value_t = 0)]
        large: usize,
        /// Store URL (default: a fresh SQLite file in a temp dir).
        #[arg(long)]
        store: Option<String>,
    },
    /// APPEND N messages to an IMAP account (if its folder is empty) and time a full backfill.
    Imap {
        /// Messages in the benchmark mailbox.
        #[arg(long, default_value_t = 10_000)]
        messages: usize,
        /// Also append this many messages with a 25 MB attachment (once, when filling).
        #[arg(long, default_value_t = 0)]
        large: usize,
        /// Fill the mailbox by writing files into this Maildir (the server's own copy of the
        /// account, e.g. Dovecot's) instead of APPEND, which slows down on large folders.
        #[arg(long)]
        fill_maildir: Option<std::path::PathBuf>,
        /// Store URL (default: a fresh SQLite file in a temp dir).
        #[arg(long)]
        store: Option<String>,
        /// IMAP host.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// IMAP port (plain).
        #[arg(long, default_value_t = 10143)]
        port: u16,
        /// IMAP user.
        #[arg(long, default_value = "bench")]
        user: String,
        /// IMAP password.
        #[arg(long, default_value = "secret", env = "TIDINGS_BENCH_IMAP_PASSWORD")]
        password: String,
    },
    /// Time routing decisions on typical mail, each from a customer under an arrangement.
    Routing {
        /// Messages to decide.
        #[arg(long, default_value_t = 20_000)]
        messages: usize,
    },
    /// Run the IMAP source with IDLE and time APPEND → item stored, message after message.
    Idle(IdleBenchArgs),
    /// Generate a call log of N rows and time parsing it and `import calls` into a fresh store.
    Calls {
        /// Data rows to generate.
        #[arg(long, default_value_t = 1_000_000)]
        rows: usize,
        /// Export shape: `export` (generic headed CSV) or `asterisk` (Master.csv).
        #[arg(long, value_enum, default_value = "export")]
        shape: crate::bench::CallShape,
        /// Store URL (default: a fresh SQLite file in a temp dir).
        #[arg(long)]
        store: Option<String>,
    },
    /// Import a year of calls from a population and time a full `flags recompute`, the
    /// signal and pattern stages each on their own.
    Flags {
        /// Contacts (calls) to generate.
        #[arg(long, default_value_t = 1_000_000)]
        contacts: usize,
        /// Customers they come from.
        #[arg(long, default_value_t = 100_000)]
        customers: usize,
        /// New calls then stored `--per-pass` at a time, each group followed by the
        /// daemon's flag pass (one engine kept throughout, as in the daemon).
        #[arg(long, default_value_t = 1_000)]
        new: usize,
        /// New calls stored before each pass.
        #[arg(long, default_value_t = 1)]
        per_pass: usize,
        /// Store URL (default: a fresh SQLite file in a temp dir).
        #[arg(long)]
        store: Option<String>,
    },
    /// Time the OCR stage against bare tesseract, text-layer PDFs per second, and field
    /// accuracy on the labelled letters against a naive baseline.
    Letters {
        /// OCR pages to read (the image scans are cycled until this many).
        #[arg(long, default_value_t = 30)]
        pages: usize,
        /// Text-layer PDF letters to read.
        #[arg(long, default_value_t = 200)]
        pdfs: usize,
        /// Folder of labelled letters (`NNN.*` beside `NNN.expected.json`).
        #[arg(long, default_value = "tests/fixtures/letters")]
        dir: std::path::PathBuf,
    },
}

/// `tidings bench idle`: the server connection settings.
#[derive(Debug, clap::Args)]
pub struct IdleBenchArgs {
    /// New messages to time, one after another.
    #[arg(long, default_value_t = 40)]
    pub samples: usize,
    /// IMAP host.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// IMAP port (plain).
    #[arg(long, default_value_t = 10143)]
    pub port: u16,
    /// IMAP user (a fresh mailbox is best).
    #[arg(long, default_value = "benchidle")]
    pub user: String,
    /// IMAP password.
    #[arg(long, default_value = "secret", env = "TIDINGS_BENCH_IMAP_PASSWORD")]
    pub password: String,
    /// With an SMTP server on this port (same host, plain): run the whole daemon with a
    /// customer under a single-point-of-contact arrangement and time APPEND → forward
    /// accepted by the SMTP server instead.
    #[arg(long)]
    pub smtp_port: Option<u16>,
    /// With `--smtp-port`: each message carries a threat of violence from a customer under
    /// no arrangement; time APPEND → the safety alert accepted by the SMTP server.
    #[arg(long, requires = "smtp_port")]
    pub safety: bool,
}

/// Tables that can be exported.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ExportTable {
    /// Contact items.
    Items,
    /// Customers with identifiers and totals.
    Customers,
    /// Advisory flags with figures, matched sentence and evidence.
    Flags,
    /// Context cues (support-consideration, communication-needs) found in items.
    Context,
}

/// Export formats.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ExportFormat {
    /// Comma-separated with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}
