//! Finding columns by header: the built-in alias table (English, Spanish and
//! the usual ERP export headers), `--map FIELD=HEADER` overrides, and the
//! "missing column" error with the closest header found.
//!
//! Headers are compared after [`normalize`]: lower case, accents removed,
//! everything but letters and digits dropped (`Net due date` = `net_due_date`).

use std::collections::HashMap;

/// Which kind of file a header row belongs to; each has its own fields.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FileKind {
    Invoices,
    Payments,
    /// Payment-plan installments (`plan check PLANS`).
    Plans,
    /// Payments toward plans (`plan check --payments`).
    PlanPayments,
    /// Promises to pay (`--promises`).
    Promises,
    /// The dated dispute log (`--disputes`).
    Disputes,
}

/// Built-in aliases per field, already normalized.
#[rustfmt::skip]
fn aliases(kind: FileKind, field: &str) -> &'static [&'static str] {
    match (kind, field) {
        (_, "customer") => &[
            "customer", "customerid", "customerno", "customernumber", "customercode", "customeraccount",
            "customeraccountnumber", "customerfullname", "debtor", "debitor", "debtorid", "partner",
            "partnerid", "party", "kunnr", "contact", "contactname", "cliente", "idcliente", "codcliente",
            "codigocliente", "numerocliente", "deudor", "tercero",
            // Last: in Odoo's and QuickBooks' exports `Account` is the ledger account
            // (`121000 Account Receivable`), beside a `Partner` or `Customer`.
            "account", "accountid", "accountnumber", "cuenta",
        ],
        (FileKind::Invoices, "customer_name") => &[
            "customername", "name", "name1", "accountname", "partnername", "partyname", "debtorname",
            "nombre", "nombrecliente", "razonsocial", "nombredeudor",
        ],
        (_, "invoice") => &[
            "invoice", "invoiceno", "invoicenumber", "invoiceid", "invoiceref", "document", "documentno",
            "documentnumber", "docno", "docnumber", "belnr", "accountingdocument", "journalentry",
            "trxnumber", "number", "num", "voucherno", "transactionnumber", "factura", "nfactura",
            "nofactura", "nodefactura", "nrofactura", "numfactura", "numerofactura", "numerodefactura",
            "documento", "numerodocumento", "ndocumento", "nodoc", "nodocumento", "comprobante",
            "invoices", "facturas", "documentos",
            // Last: Odoo's and SAP's `Reference` is the customer's own reference,
            // beside the document's `Number` or `Journal Entry`.
            "reference",
        ],
        (FileKind::Invoices | FileKind::Plans, "due_date") => &[
            "duedate", "netduedate", "due", "dueon", "datedue", "paymentduedate", "invoicedatedue",
            "invoiceduedate", "trxduedate", "netduedt", "duedatefornetpayment", "vencimiento",
            "vencimientoneto", "fechavencimiento", "fechadevencimiento", "fvencimiento", "fecvenc",
        ],
        (FileKind::Invoices, "issue_date") => &[
            "issuedate", "invoicedate", "invoicebilldate", "documentdate", "transactiondate", "trxdate",
            "journalentrydate", "postingdate", "date", "docdate", "txndate", "fecha", "fechaemision",
            "fechadeemision", "fechafactura", "fechadefactura", "fechadocumento", "fechacontable",
        ],
        (FileKind::Invoices, "amount") => &[
            "amount", "invoiceamount", "originalamount", "originalinvoiceamount", "amountdueoriginal",
            "grossamount", "totalincurrencysigned", "total", "amounttotal", "grandtotal", "invoicedamount",
            "amountindoccurr", "amountindocumentcurrency", "amountindc", "amountintransactioncurrency",
            "importe", "monto", "importetotal", "totalfactura", "importefactura", "importeoriginal",
        ],
        (FileKind::Invoices | FileKind::Payments | FileKind::Promises, "currency") => &[
            "currency", "currencycode", "curr", "crcy", "documentcurrency", "doccurrency",
            "transactioncurrency", "invoicecurrencycode", "waers", "moneda", "divisa",
        ],
        (FileKind::Invoices, "disputed") => &[
            "disputed", "dispute", "indispute", "disputa", "endisputa", "litigio", "reclamada",
        ],
        (FileKind::Invoices, "paid_date") => &[
            // Clearing first: SAP's `Payment date` may be an empty column beside it.
            "paiddate", "datepaid", "clearingdate", "cleareddate", "fullypaidondate", "paymentdate",
            "fechapago", "fechadepago", "fechacobro", "fechadecobro", "fechacompensacion",
        ],
        (FileKind::Invoices, "paid_amount") => &[
            "paidamount", "amountpaid", "invoiceamountpaid", "paid", "pagado", "importepagado",
            "importecobrado", "cobrado",
        ],
        (FileKind::Invoices, "open_amount") => &[
            "openamount", "amountdue", "invoiceamountdue", "amountdueremaining", "amtdueremaining",
            "balancedue", "openbalance", "outstanding", "outstandingamount", "residual", "amountresidual",
            "residualamount", "balanceduecurr", "saldo", "pendiente", "importependiente", "importeadeudado", "saldopendiente",
            // Last: QuickBooks' `Balance` is a running balance beside `Open Balance`.
            "balance",
        ],
        (FileKind::Invoices, "email") => &[
            "email", "emailaddress", "contactemail", "mail", "correo", "correoelectronico",
        ],
        (FileKind::Payments | FileKind::PlanPayments, "date") => &[
            "date", "paymentdate", "paiddate", "receiptdate", "valuedate", "postingdate", "clearingdate",
            "fecha", "fechapago", "fechadepago", "fechacobro", "fechavalor",
        ],
        (FileKind::Payments | FileKind::PlanPayments, "amount") => &[
            "amount", "paymentamount", "paidamount", "amountpaid", "receiptamount", "importe", "monto",
            "importepagado", "importecobrado", "pago", "cobro",
        ],
        (_, "plan_id") => &["planid", "plan", "agreement", "agreementid", "acuerdo", "idplan"],
        (FileKind::Plans, "n") => &["n", "no", "number", "installmentno", "installmentnumber", "ncuota", "numerocuota"],
        (FileKind::Plans, "installment") => &[
            "installment", "amount", "installmentamount", "cuota", "importe", "monto",
        ],
        (FileKind::Promises, "created") => &[
            "created", "createdon", "createdat", "createddate", "datecreated", "recorded", "recordedon",
            "madeon", "date", "fecha", "fechaalta", "fechacreacion", "fecharegistro", "creado",
        ],
        (FileKind::Promises, "promised_date") => &[
            "promiseddate", "promisedate", "promisedpaymentdate", "promisedfor", "payby", "paybydate",
            "fechapromesa", "fechaprometida", "fechacompromiso", "fechacompromisodepago",
        ],
        (FileKind::Promises, "amount") => &[
            "amount", "promisedamount", "promiseamount", "amountpromised", "importe", "monto",
            "importeprometido", "importecomprometido",
        ],
        (FileKind::Promises, "promise_id") => &[
            "promiseid", "promise", "promiseno", "promisenumber", "ptpid", "id", "idpromesa", "promesa",
            "compromiso",
        ],
        (FileKind::Promises, "note") => &[
            "note", "notes", "comment", "comments", "remark", "remarks", "memo", "nota", "notas",
            "comentario", "comentarios", "observaciones",
        ],
        (FileKind::Disputes, "opened") => &[
            "opened", "openedon", "opendate", "dateopened", "raised", "raisedon", "created", "createdon",
            "disputedate", "date", "fecha", "fechaapertura", "abierta", "fechaalta", "fechareclamacion",
        ],
        (FileKind::Disputes, "closed") => &[
            "closed", "closedon", "closedate", "dateclosed", "resolved", "resolvedon", "resolutiondate",
            "fechacierre", "cerrada", "fecharesolucion",
        ],
        (FileKind::Disputes, "reason") => &["reason", "disputereason", "reasoncode", "cause", "motivo", "causa"],
        (FileKind::Disputes, "dispute_id") => &[
            "disputeid", "dispute", "disputeno", "disputenumber", "case", "caseid", "caseno", "id",
            "iddisputa", "reclamacion", "incidencia",
        ],
        (FileKind::Disputes, "outcome") => &["outcome", "resolution", "result", "resultado", "resolucion"],
        _ => &[],
    }
}

/// The canonical fields a file of this kind may have, required ones first.
pub fn fields(kind: FileKind) -> &'static [&'static str] {
    match kind {
        FileKind::Invoices => &[
            "customer",
            "invoice",
            "due_date",
            "amount",
            "issue_date",
            "currency",
            "customer_name",
            "email",
            "disputed",
            "paid_date",
            "paid_amount",
            "open_amount",
        ],
        FileKind::Payments => &["invoice", "date", "amount", "customer", "currency"],
        FileKind::Plans => &["plan_id", "customer", "n", "due_date", "installment"],
        FileKind::PlanPayments => &["plan_id", "customer", "date", "amount"],
        FileKind::Promises => {
            &["customer", "created", "promised_date", "amount", "currency", "invoice", "promise_id", "note"]
        }
        FileKind::Disputes => &["invoice", "opened", "closed", "reason", "dispute_id", "outcome"],
    }
}

/// Lower case, accents folded, only letters and digits kept.
pub fn normalize(header: &str) -> String {
    header.chars().flat_map(char::to_lowercase).map(fold_accent).filter(|c| c.is_alphanumeric()).collect()
}

fn fold_accent(c: char) -> char {
    match c {
        'á' | 'à' | 'ä' | 'â' | 'ã' | 'å' => 'a',
        'é' | 'è' | 'ë' | 'ê' => 'e',
        'í' | 'ì' | 'ï' | 'î' => 'i',
        'ó' | 'ò' | 'ö' | 'ô' | 'õ' | 'º' => 'o',
        'ú' | 'ù' | 'ü' | 'û' => 'u',
        'ñ' => 'n',
        'ç' => 'c',
        'ß' => 's',
        other => other,
    }
}

/// `--map FIELD=HEADER` entries, in the order given.
#[derive(Clone, Debug, Default)]
pub struct ColumnMap {
    entries: Vec<(String, String)>,
}

impl ColumnMap {
    /// Parses `FIELD=HEADER` flags; the error names the bad entry.
    pub fn parse(specs: &[String]) -> Result<ColumnMap, String> {
        let mut entries = Vec::new();
        for spec in specs {
            let Some((field, header)) = spec.split_once('=') else {
                return Err(format!("--map '{spec}' is not FIELD=HEADER (e.g. --map amount=Importe)"));
            };
            let field = field.trim().to_ascii_lowercase();
            if !all_fields().contains(&field.as_str()) {
                return Err(format!(
                    "--map '{spec}': unknown field '{field}'; fields are {}",
                    all_fields().join(", ")
                ));
            }
            if header.trim().is_empty() {
                return Err(format!("--map '{spec}': the header is empty (e.g. --map {field}=Importe)"));
            }
            entries.push((field, header.trim().to_string()));
        }
        Ok(ColumnMap { entries })
    }

    fn headers_for<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.entries.iter().filter(move |(f, _)| f == field).map(|(_, h)| h.as_str())
    }
}

fn all_fields() -> Vec<&'static str> {
    let mut all: Vec<&str> = Vec::new();
    use FileKind::*;
    for kind in [Invoices, Payments, Plans, PlanPayments, Promises, Disputes] {
        for f in fields(kind) {
            if !all.contains(f) {
                all.push(f);
            }
        }
    }
    all
}

/// Where each canonical field and each requested extra column is in a file.
#[derive(Debug, Default)]
pub struct Layout {
    positions: HashMap<&'static str, usize>,
    pub extras: Vec<usize>,
    pub headers: Vec<String>,
}

/// A field's column in one file, resolved once: its position (if the file
/// has it) and its header text for messages.
#[derive(Clone, Debug)]
pub struct Col {
    pub index: Option<usize>,
    pub header: String,
}

impl Layout {
    /// The column of a field, for per-row reading without look-ups.
    pub fn column(&self, field: &str) -> Col {
        Col { index: self.get(field), header: self.header_of(field).to_string() }
    }

    pub fn get(&self, field: &str) -> Option<usize> {
        self.positions.get(field).copied()
    }

    pub fn has(&self, field: &str) -> bool {
        self.positions.contains_key(field)
    }

    /// The positions of every column found (fields and extras), in file
    /// order: the columns a reader needs.
    pub fn positions(&self) -> Vec<usize> {
        let mut all: Vec<usize> = self.positions.values().chain(&self.extras).copied().collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// A header that names a currency but serves no field, when the file
    /// has no currency column (`Local Currency`, `Company Code Currency`):
    /// for a warning, since every row is then in `--currency`.
    pub fn unused_currency_header(&self) -> Option<&str> {
        const HINTS: [&str; 5] = ["currenc", "moneda", "divisa", "crcy", "waers"];
        if self.has("currency") {
            return None;
        }
        let used: Vec<usize> = self.positions.values().copied().collect();
        let names_currency = |h: &String| HINTS.iter().any(|hint| normalize(h).contains(hint));
        let unused = self.headers.iter().enumerate().filter(|(i, _)| !used.contains(i));
        unused.map(|(_, h)| h).find(|h| names_currency(h)).map(String::as_str)
    }

    /// The header text of a field's column, for error messages.
    pub fn header_of<'a>(&'a self, field: &'a str) -> &'a str {
        self.get(field).map(|i| self.headers[i].as_str()).unwrap_or(field)
    }

    /// Finds the columns: `--map` first (the first mapped header the file
    /// has), then the built-in aliases in the order of their list (the first
    /// alias the file has wins, wherever its column is); a header serves one
    /// field only, and fields take theirs in the order of [`fields`]. `extras` are other columns asked for by name (`--by`).
    pub fn resolve(
        kind: FileKind,
        headers: &[String],
        map: &ColumnMap,
        extras: &[String],
    ) -> Result<Layout, String> {
        let normalized: Vec<String> = headers.iter().map(|h| normalize(h)).collect();
        let mut layout = Layout { headers: headers.to_vec(), ..Default::default() };
        let mut used = vec![false; headers.len()];
        for field in fields(kind) {
            let wanted: Vec<String> = map.headers_for(field).map(normalize).collect();
            if let Some(i) = wanted.iter().find_map(|w| position(&normalized, &used, |h| h == w)) {
                used[i] = true;
                layout.positions.insert(field, i);
            }
        }
        for field in fields(kind) {
            if layout.positions.contains_key(field) {
                continue;
            }
            let names = aliases(kind, field);
            let best = names.iter().find_map(|alias| position(&normalized, &used, |h| h == *alias));
            if let Some(i) = best {
                used[i] = true;
                layout.positions.insert(field, i);
            }
        }
        for extra in extras {
            let want = normalize(extra);
            let by_header = normalized.iter().position(|h| *h == want);
            // A field's own name (`customer`) also finds the column that
            // serves it under any alias (`Cliente`).
            let by_field = || fields(kind).iter().find(|f| normalize(f) == want).and_then(|f| layout.get(f));
            let Some(i) = by_header.or_else(by_field) else {
                return Err(missing_message(extra, headers, &[want.as_str()]));
            };
            layout.extras.push(i);
        }
        Ok(layout)
    }

    /// Errors when a required field was not found.
    pub fn require(&self, kind: FileKind, field: &str, hint: &str) -> Result<usize, String> {
        self.get(field).ok_or_else(|| {
            let names = aliases(kind, field);
            let mut msg = missing_message(field, &self.headers, names);
            msg.push_str(&format!("; map it with --map {field}=HEADER{hint}"));
            msg
        })
    }
}

fn position(normalized: &[String], used: &[bool], matches: impl Fn(&str) -> bool) -> Option<usize> {
    normalized.iter().enumerate().position(|(i, h)| !used[i] && matches(h))
}

fn missing_message(field: &str, headers: &[String], names: &[&str]) -> String {
    let found = headers.iter().map(|h| format!("'{}'", excerpt(h))).collect::<Vec<_>>().join(", ");
    let mut msg = format!("no column for '{field}'; headers found: {found}");
    if let Some(close) = closest(headers, field, names) {
        msg.push_str(&format!("; closest: '{}'", excerpt(close)));
    }
    if headers.iter().any(|h| h.contains(['\n', '\r'])) {
        msg.push_str("; a header spans several lines: is there a stray quote (\") in the header row?");
    }
    if headers.len() == 1 {
        if let Some(sep) = [';', ',', '\t', '|'].into_iter().find(|c| headers[0].contains(*c)) {
            let shown = if sep == '\t' { "\\t".to_string() } else { sep.to_string() };
            msg.push_str(&format!("; the header looks delimited by '{shown}': try --delimiter '{shown}'"));
            return msg;
        }
    }
    if headers.iter().filter(|h| !h.trim().is_empty()).count() == 1 {
        msg.push_str(
            "; line 1 has one cell: if it is a report's title (QuickBooks and Xero reports start with \
             their name and date), delete the lines above the header row",
        );
    }
    msg
}

/// At most [`EXCERPT_CHARS`] characters of a header, line breaks shown as
/// `\n`, for messages: an unclosed quote can make one header of a whole file.
pub fn excerpt(text: &str) -> String {
    let mut shown: String = text.chars().take(EXCERPT_CHARS).collect();
    if shown.len() < text.len() {
        shown.push_str(&format!("... ({} bytes)", text.len()));
    }
    shown.replace('\n', "\\n").replace('\r', "\\r")
}

/// How much of a header a message shows.
const EXCERPT_CHARS: usize = 80;

/// The header closest (by edit distance) to the field or one of its aliases.
fn closest<'a>(headers: &'a [String], field: &str, names: &[&str]) -> Option<&'a str> {
    let field_norm = normalize(field);
    let targets: Vec<&str> = names.iter().copied().chain(std::iter::once(field_norm.as_str())).collect();
    headers
        .iter()
        .map(|h| {
            let n = normalize(h);
            let dist = targets.iter().map(|t| edit_distance(&n, t)).min().unwrap_or(usize::MAX);
            (dist, h)
        })
        .filter(|(dist, h)| *dist <= normalize(h).len().max(3) / 2 + 1)
        .min_by_key(|(dist, _)| *dist)
        .map(|(_, h)| h.as_str())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn spanish_and_erp_headers_resolve() {
        let headers = h(&["Cliente", "Nº Factura", "Fecha Emisión", "Vencimiento", "Importe", "Moneda"]);
        let layout = Layout::resolve(FileKind::Invoices, &headers, &ColumnMap::default(), &[]).unwrap();
        assert_eq!(layout.get("customer"), Some(0));
        assert_eq!(layout.get("invoice"), Some(1));
        assert_eq!(layout.get("issue_date"), Some(2));
        assert_eq!(layout.get("due_date"), Some(3));
        assert_eq!(layout.get("amount"), Some(4));
        assert_eq!(layout.get("currency"), Some(5));
    }

    /// The field each named header goes to, for an invoice file with `headers`.
    fn fields_of(headers: &[&str]) -> Vec<(&'static str, String)> {
        let layout = invoice_layout(headers);
        fields(FileKind::Invoices)
            .iter()
            .filter_map(|&f| layout.get(f).map(|i| (f, layout.headers[i].clone())))
            .collect()
    }

    /// An invoice file's layout with the built-in aliases only.
    fn invoice_layout(headers: &[&str]) -> Layout {
        Layout::resolve(FileKind::Invoices, &h(headers), &ColumnMap::default(), &[]).unwrap()
    }

    /// Header rows of real exports (each as the ERP's documentation or
    /// source names its columns), where a header that means something else
    /// there must not win: Odoo's ledger `Account` and customer `Reference`,
    /// QuickBooks' running `Balance`, SAP's `Payment date` beside `Clearing
    /// date`.
    #[test]
    fn erp_export_headers_go_to_their_fields() {
        let odoo = fields_of(&[
            "Date",
            "Number",
            "Account",
            "Partner",
            "Due Date",
            "Reference",
            "Total",
            "Amount Due",
        ]);
        assert!(odoo.contains(&("customer", "Partner".into())), "{odoo:?}");
        assert!(odoo.contains(&("invoice", "Number".into())), "{odoo:?}");
        assert!(odoo.contains(&("open_amount", "Amount Due".into())), "{odoo:?}");
        let quickbooks =
            fields_of(&["Customer", "Date", "Num", "Due Date", "Amount", "Open Balance", "Balance"]);
        assert!(quickbooks.contains(&("open_amount", "Open Balance".into())), "{quickbooks:?}");
        let fbl5n = fields_of(&[
            "Account",
            "Document Number",
            "Document Date",
            "Net due date",
            "Amount in doc. curr.",
            "Document currency",
            "Clearing date",
            "Payment date",
        ]);
        assert!(fbl5n.contains(&("paid_date", "Clearing date".into())), "{fbl5n:?}");
        assert!(fbl5n.contains(&("currency", "Document currency".into())), "{fbl5n:?}");
        let s4 = fields_of(&[
            "Customer",
            "Journal Entry",
            "Journal Entry Date",
            "Net Due Date",
            "Amount in Transaction Currency",
            "Transaction Currency",
            "Reference",
        ]);
        let want = [
            ("invoice", "Journal Entry"),
            ("amount", "Amount in Transaction Currency"),
            ("currency", "Transaction Currency"),
        ];
        for (field, header) in want {
            assert!(s4.contains(&(field, header.into())), "{s4:?}");
        }
        let oracle = fields_of(&[
            "TRX_NUMBER",
            "CUSTOMER_NUMBER",
            "INVOICE_CURRENCY_CODE",
            "AMOUNT_DUE_ORIGINAL",
            "AMOUNT_DUE_REMAINING",
            "TRX_DATE",
            "TRX_DUE_DATE",
        ]);
        assert_eq!(oracle.len(), 7, "{oracle:?}");
        let xero = fields_of(&[
            "ContactName",
            "InvoiceNumber",
            "Reference",
            "InvoiceDate",
            "DueDate",
            "Total",
            "InvoiceAmountPaid",
            "InvoiceAmountDue",
            "Currency",
        ]);
        assert!(xero.contains(&("invoice", "InvoiceNumber".into())), "{xero:?}");
        assert!(xero.contains(&("paid_amount", "InvoiceAmountPaid".into())), "{xero:?}");
        assert!(xero.contains(&("open_amount", "InvoiceAmountDue".into())), "{xero:?}");
    }

    /// SAP's local-currency layout has no alias of `currency`: its `Local
    /// Currency` is named for a warning. A currency column found, or a
    /// currency-like header that is the amount, gives none.
    #[test]
    fn a_currency_header_that_serves_no_field_is_named() {
        let layout = invoice_layout;
        let local = layout(&["Account", "Document Number", "Net Due Date", "Amount", "Local Currency"]);
        assert_eq!(local.unused_currency_header(), Some("Local Currency"));
        let found = layout(&["Account", "Document Number", "Net Due Date", "Amount", "Currency"]);
        assert_eq!(found.unused_currency_header(), None);
        let amount = layout(&["Customer", "Journal Entry", "Net Due Date", "Amount in Transaction Currency"]);
        assert_eq!(amount.unused_currency_header(), None);
    }

    /// A report exported with its title first (QuickBooks' `A/R Aging
    /// Detail`): the message says what line 1 seems to be.
    #[test]
    fn a_title_line_instead_of_a_header_row_is_pointed_out() {
        let layout = invoice_layout(&["Craig's Design and Landscaping Services"]);
        let err = layout.require(FileKind::Invoices, "customer", "").unwrap_err();
        assert!(err.contains("line 1 has one cell: if it is a report's title"), "{err}");
    }

    /// `--by customer,region` on a Spanish export: `customer` is the field,
    /// found under `Cliente`; `region` is a column of that name.
    #[test]
    fn a_by_column_named_as_a_field_finds_the_fields_column() {
        let headers = h(&["Factura", "Vencimiento", "Importe", "region", "Cliente"]);
        let extras = ["customer".to_string(), "region".to_string()];
        let layout = Layout::resolve(FileKind::Invoices, &headers, &ColumnMap::default(), &extras).unwrap();
        assert_eq!(layout.extras, vec![4, 3]);
        let unknown =
            Layout::resolve(FileKind::Invoices, &headers, &ColumnMap::default(), &["zona".to_string()]);
        assert!(unknown.unwrap_err().contains("no column for 'zona'"));
    }

    #[test]
    fn map_overrides_and_first_present_header_wins() {
        let headers = h(&["Deb", "Doc", "Total", "Betrag"]);
        let map = ColumnMap::parse(&["amount=Missing".into(), "amount=Betrag".into()]).unwrap();
        let layout = Layout::resolve(FileKind::Invoices, &headers, &map, &[]).unwrap();
        assert_eq!(layout.get("amount"), Some(3));
        assert!(ColumnMap::parse(&["bogus=X".into()]).is_err());
        for empty in ["amount=", "amount= ", "=X"] {
            assert!(ColumnMap::parse(&[empty.into()]).is_err(), "{empty}");
        }
    }

    #[test]
    fn missing_field_lists_headers_and_closest() {
        let headers = h(&["customer", "invoice", "due", "amout"]);
        let layout = Layout::resolve(FileKind::Invoices, &headers, &ColumnMap::default(), &[]).unwrap();
        let err = layout.require(FileKind::Invoices, "amount", "").unwrap_err();
        assert!(err.contains("'amout'") && err.contains("closest"), "{err}");
    }

    /// A stray quote makes one header of the rest of the file: the message
    /// shows its first 80 characters, not the file.
    #[test]
    fn long_headers_are_shown_as_an_excerpt() {
        let giant = format!("invoice,due_date,amount\n{}", "C1,I0,2025-01-01,12.50\n".repeat(2000));
        let headers = vec!["customer".to_string(), giant];
        let layout = Layout::resolve(FileKind::Invoices, &headers, &ColumnMap::default(), &[]).unwrap();
        let err = layout.require(FileKind::Invoices, "invoice", "").unwrap_err();
        assert!(err.len() < 400, "{} bytes: {err}", err.len());
        assert!(err.contains("'invoice,due_date,amount\\nC1,I0,"), "{err}");
        assert!(err.contains("... (46024 bytes)"), "{err}");
        assert!(err.contains("stray quote"), "{err}");
        assert_eq!(excerpt("short"), "short");
        assert_eq!(excerpt(&"é".repeat(81)), format!("{}... (162 bytes)", "é".repeat(80)));
    }

    proptest::proptest! {
        /// Any header row and --map resolve or fail with a message, never a
        /// panic; a missing field's message stays short whatever the headers.
        #[test]
        fn arbitrary_headers_never_panic(headers in proptest::collection::vec("\\PC{0,300}", 0..8),
                                          map in proptest::collection::vec("[a-z_]{0,12}=\\PC{0,10}", 0..3)) {
            if let Ok(map) = ColumnMap::parse(&map) {
                if let Ok(layout) = Layout::resolve(FileKind::Invoices, &headers, &map, &[]) {
                    if let Err(msg) = layout.require(FileKind::Invoices, "amount", "") {
                        proptest::prop_assert!(msg.len() < 8 * 400 + 300, "{} bytes", msg.len());
                    }
                }
            }
        }

        /// Normalizing twice changes nothing.
        #[test]
        fn normalize_is_idempotent(header in "\\PC{0,40}") {
            let once = normalize(&header);
            proptest::prop_assert_eq!(normalize(&once), once);
        }
    }
}
