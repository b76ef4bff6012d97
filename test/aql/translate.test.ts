import { describe, expect, it } from 'vitest';
import { AqlError, parseAql } from '../../src/aql/parse.js';
import { javaToStrftime, translate } from '../../src/aql/translate.js';

const tr = (aql: string, columns: string[] = ['Command', 'qidname', 'sourceip']) => translate(parseAql(aql), { columns: new Set(columns) }, 1_000_000, aql).sql;
const err = (aql: string) => {
  try {
    tr(aql);
  } catch (e) {
    expect(e).toBeInstanceOf(AqlError);
    return (e as Error).message;
  }
  throw new Error('no error');
};

/** How deep the parentheses of SQL text nest, outside its string literals. */
function parenthesesDepth(sql: string): number {
  let depth = 0;
  let deepest = 0;
  let quoted = false;
  for (const c of sql) {
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === '(') deepest = Math.max(deepest, ++depth);
    else if (!quoted && c === ')') depth -= 1;
  }
  return deepest;
}

describe('AQL subset → DuckDB SQL', () => {
  it('converts Java date patterns to strftime', () => {
    expect(javaToStrftime('yyyy-MM-dd HH:mm:ss')).toBe('%Y-%m-%d %H:%M:%S');
    expect(javaToStrftime("dd/MM/yy hh:mm a 'at' SSS")).toBe('%d/%m/%y %I:%M %p at %g');
    expect(() => javaToStrftime('yyyy-ww')).toThrow(/'ww' are not supported/);
  });

  it('translates the detection functions', () => {
    const sql = tr("SELECT DATEFORMAT(starttime, 'yyyy') AS y FROM events WHERE QIDNAME(qid) LIKE '%a\\_b%' AND starttime > DATEADD('hours', -24, NOW()) AND \"Command\" MATCHES 'x+' LAST 2 HOURS");
    expect(sql).toContain("strftime(epoch_ms(starttime), '%Y') AS \"y\"");
    expect(sql).toContain(`("qidname" LIKE '%a\\_b%' ESCAPE '\\')`);
    expect(sql).toContain('(starttime > (CAST(1000000 AS BIGINT) + ((-24)) * 3600000))');
    expect(sql).toContain(`regexp_matches("Command", 'x+')`);
    expect(sql).toContain(`starttime > ${1_000_000 - 2 * 3_600_000}`);
    expect(sql).toMatch(/ORDER BY "__ord" ASC$/);
  });

  it('a property absent from the export is NULL; numbers compare as text with = and numerically otherwise', () => {
    const sql = tr('SELECT * FROM events WHERE "Nope" IS NULL AND sourceip = 12 AND sourceip > 3');
    expect(sql).toContain('(CAST(NULL AS VARCHAR) IS NULL)');
    expect(sql).toContain(`("sourceip" = '12')`);
    expect(sql).toContain('(TRY_CAST("sourceip" AS DOUBLE) > 3)');
  });

  it('rejects what it does not support, naming the construct and where', () => {
    expect(err('SELECT * FROM flows')).toBe("unsupported AQL construct 'FROM flows' (events only) at line 1, column 15");
    expect(err('SELECT *\nFROM events\nWHERE a BETWEEN 1 AND 2')).toMatch(/unsupported AQL construct 'BETWEEN' .*at line 3, column 9/);
    expect(err("SELECT CASE a WHEN 1 THEN 'x' END FROM events")).toMatch(/only searched CASE WHEN/);
    expect(err("SELECT * FROM events WHERE INCIDR('fd00::/8', sourceip)")).toMatch(/IPv6 network is not supported by the offline runner at line 1, column 28/);
    expect(err('SELECT * FROM events WHERE x = ')).toMatch(/expected an expression, got end of query/);
    expect(err("SELECT * FROM events WHERE x = 'a")).toMatch(/unexpected character ''' at line 1, column 32/);
    // A unit named like an object's inherited member is no unit.
    for (const unit of ['constructor', 'toString', 'hasOwnProperty']) expect(err(`SELECT DATEADD('${unit}', 1, starttime) AS x FROM events`)).toMatch(/DATEADD needs a unit like 'hours'/);
  });

  it('refuses a MATCHES pattern RE2 cannot compile at the pattern, as DuckDB would refuse it only when run', () => {
    expect(err(`SELECT * FROM events WHERE "Command" MATCHES '(?<=x)a'`)).toMatch(/^MATCHES pattern: .*at line 1, column 46$/);
    expect(err(`SELECT * FROM events WHERE "Command" MATCHES '(unclosed'`)).toMatch(/^MATCHES pattern: .*missing closing \).*at line 1, column 46$/);
  });

  it('bounds nesting and runs of + - * / (thousands overflowed the stack), and writes long AND/OR runs flat', () => {
    const where = (condition: string) => `SELECT * FROM events WHERE ${condition}`;
    expect(err(where(`${'('.repeat(5000)}x = 1${')'.repeat(5000)}`))).toBe('the query nests deeper than 100 levels (parentheses, NOT, calls, CASE) at line 1, column 128');
    expect(err(where(`${'NOT '.repeat(5000)}x = 1`))).toMatch(/^the query nests deeper than 100 levels .* at line 1, column 428$/);
    expect(err(where(`LOWER(${'UPPER('.repeat(200)}x${')'.repeat(201)} = 'a'`))).toMatch(/nests deeper than 100 levels/);
    expect(err(where(`x = ${Array(2000).fill('1').join(' + ')}`))).toMatch(/^more than 100 terms of \+ and - at line 1, column /);
    expect(() => tr(where(`${'('.repeat(99)}x = 1${')'.repeat(99)}`))).not.toThrow();
    const wide = tr(where(Array.from({ length: 20_000 }, (_, i) => `x = 'u${i}'`).join(' OR ')));
    expect(wide).toContain(`(CAST(NULL AS VARCHAR) = 'u0') OR (CAST(NULL AS VARCHAR) = 'u1') OR`);
    expect(parenthesesDepth(wide)).toBeLessThan(5);
  });
});
