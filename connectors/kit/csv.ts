/**
 * RFC 4180 CSV, as spreadsheet exports write it: quoted fields may hold commas, line breaks and
 * doubled quotes (""), lines end in CRLF or LF (a lone CR too, as old Excel for Mac wrote), and a
 * UTF-8 byte-order mark may lead the file. Errors name the line and never quote field values:
 * exports are full of personal data and these messages reach logs and API answers.
 */
export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

/** Every record as its list of fields. Empty lines are skipped (exports often end with several). */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let inQuotes = false;
  let fieldQuoted = false; // the current field was quoted: only a delimiter or a line end may follow
  let line = 1;
  let recordLine = 1;
  const endField = () => {
    record.push(field);
    field = '';
    fieldQuoted = false;
  };
  const endRecord = () => {
    const emptyLine = record.length === 0 && field === '' && !fieldQuoted;
    endField();
    if (!emptyLine) records.push(record);
    record = [];
  };
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (inQuotes) {
      if (ch === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        inQuotes = false;
      } else {
        if (ch === '\n' || (ch === '\r' && src[i + 1] !== '\n')) line++;
        field += ch;
      }
    } else if (ch === '"') {
      if (field !== '' || fieldQuoted) throw new CsvError(`line ${line}: a quote inside an unquoted field (quote the whole field and double inner quotes)`);
      inQuotes = true;
      fieldQuoted = true;
    } else if (ch === delimiter) {
      endField();
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      recordLine = ++line;
    } else if (fieldQuoted) {
      throw new CsvError(`line ${line}: text after a closing quote`);
    } else {
      field += ch;
    }
  }
  if (inQuotes) throw new CsvError(`line ${recordLine}: a quoted field is never closed`);
  if (field !== '' || record.length || fieldQuoted) endRecord();
  return records;
}

export interface CsvTable {
  /** The header row, trimmed. */
  columns: string[];
  /** One object per data row, keyed by header. */
  rows: Record<string, string>[];
}

/**
 * A CSV with a header row as objects. Headers must be unique and non-empty, and every row must
 * have as many fields as the header: a ragged export is refused rather than guessed at. Rows whose
 * fields are all empty are skipped.
 */
export function parseCsvTable(text: string, delimiter = ','): CsvTable {
  const [header, ...data] = parseCsv(text, delimiter);
  if (!header) throw new CsvError('the file is empty (no header row)');
  const columns = header.map((h) => h.trim());
  const seen = new Set<string>();
  for (const [i, c] of columns.entries()) {
    if (!c) throw new CsvError(`header: column ${i + 1} has no name`);
    if (seen.has(c)) throw new CsvError(`header: column "${c}" appears twice`);
    seen.add(c);
  }
  // Spreadsheets export rows they once formatted as ",,,,": rows with no value at all are blank lines.
  const filled = data.filter((fields) => fields.some((f) => f.trim() !== ''));
  const rows = filled.map((fields, r) => {
    if (fields.length !== columns.length) {
      throw new CsvError(`data row ${r + 1}: ${fields.length} fields where the header has ${columns.length}`);
    }
    // Own properties only: a column named "__proto__" cannot reach the prototype.
    return Object.fromEntries(columns.map((c, i) => [c, fields[i]!]));
  });
  return { columns, rows };
}

/**
 * A manifest `each` expression for an uploaded CSV export (`text/csv`, parsed to {columns, rows})
 * whose columns the admin maps at install time: `$config.columns[exportKey]` maps our field names
 * to the export's header names (one header, or several whose values are joined with "|", e.g. a
 * key made of Job and Title). Each item is the row under our field names (outer whitespace trimmed,
 * line breaks inside kept, empty values left out) plus `subject`: the row's phone (made E.164 with `$config.defaultCallingCode`, default
 * "1") as a handle, else its email. It raises (the request is refused whole, 400) when the export
 * is not mapped, a mapped header is missing, or a row lacks a `required` field; messages name
 * headers and row numbers, never values.
 */
export function csvRowsExpression(exportKey: string, required: string[] = []): string {
  const key = JSON.stringify(exportKey);
  return `(
  $m := $lookup($config.columns, ${key});
  $m ? (
    $missing := $filter($keys($m), function($k) { $count([$lookup($m, $k)][$not($ in $request.body.columns)]) > 0 });
    $count($missing) > 0 ? $error('columns.' & ${key} & ': header(s) ' & $join($missing.($join([$lookup($m, $)].('"' & $ & '"'), ' + ') & ' (' & $ & ')'), ', ') & ' not in the uploaded export') : (
      $cc := $config.defaultCallingCode ? $config.defaultCallingCode : '1';
      $e164 := function($p) {(
        $t := $trim($p);
        $d := $replace($t, /[^0-9]/, '');
        $n := $substring($t, 0, 1) = '+' ? $d
          : $substring($d, 0, 2) = '00' ? $substring($d, 2)
          : $cc = '1' ? ($length($d) = 11 and $substring($d, 0, 1) = '1' ? $d : '1' & $d)
          : $cc & $replace($d, /^0/, '');
        $length($n) >= 8 and $length($n) <= 15 ? '+' & $n
      )};
      $strip := function($s) { $replace($s, /^\\s+|\\s+$/, '') };
      $required := ${JSON.stringify(required)};
      $items := $map($request.body.rows, function($r) {(
        $f := $merge($keys($m).{ $: (
          $h := $lookup($m, $);
          $v := $type($h) = 'array' ? $join($h.($strip($lookup($r, $)))[$ != ''], '|') : $strip($lookup($r, $h));
          $v != '' ? $v
        ) });
        $phone := $f.phone ? $e164($f.phone);
        $merge([$f, { 'subject': $phone ? { 'kind': 'phone', 'value': $phone } : $f.email ? { 'kind': 'email', 'value': $lowercase($f.email) } }])
      )});
      $bad := $filter($required, function($k) { $count($items[$not($exists($lookup($, $k)))]) > 0 });
      $count($bad) > 0 ? $error('columns.' & $join($bad.(${key} & '.' & $), ', ') & ': required but empty in row(s) ' & $join($distinct($bad.($k := $; $map($items, function($it, $i) { $not($exists($lookup($it, $k))) ? $string($i + 1) }))), ', ')) : [$items]
    )
  ) : $error('no column mapping for the ' & ${key} & ' export: set columns.' & ${key} & ' in the connection config')
)`;
}
