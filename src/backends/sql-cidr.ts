/**
 * CIDR membership as portable SQL (DuckDB): IPv4 by arithmetic on the four octets, exactly the
 * native test (a dotted quad, each octet ≤ 255, inside the network). DuckDB's `inet` extension
 * would need a download, so it is not used. Shared by the `sql` target and the AQL runner's INCIDR.
 */
import type { Cidr } from '../sigma/cidr.js';

export function ipv4InCidrSql(cidr: Cidr, col: string): string {
  const net = cidr.bytes.reduce((acc, b) => acc * 256 + b, 0);
  const size = 2 ** (32 - cidr.prefix);
  const ip = `trim(${col})`;
  const octet = (i: number) => `TRY_CAST(split_part(${ip}, '.', ${i}) AS BIGINT)`;
  const value = `(${octet(1)} * 16777216 + ${octet(2)} * 65536 + ${octet(3)} * 256 + ${octet(4)})`;
  return (
    `(regexp_full_match(${ip}, '\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}')` +
    ` AND greatest(${octet(1)}, ${octet(2)}, ${octet(3)}, ${octet(4)}) <= 255` +
    ` AND ${value} BETWEEN ${net} AND ${net + size - 1})`
  );
}
