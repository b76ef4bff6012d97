/**
 * Values in the form Sysmon writes them, which SigmaHQ's rules are written against, for the
 * readers of exports that write them otherwise (Defender, Elastic Defend).
 */
import type { FieldValue } from '../events/event.js';
import { stringOf } from './json-util.js';

/** Sysmon's `Hashes` (`SHA1=…,MD5=…,SHA256=…,IMPHASH=…`, upper-case hex) from the digests given, in their order. */
export function sysmonHashes(digests: ReadonlyArray<readonly [string, FieldValue | undefined]>): string | undefined {
  const parts: string[] = [];
  for (const [name, value] of digests) {
    const hex = stringOf(value);
    if (hex !== undefined) parts.push(`${name}=${hex.toUpperCase()}`);
  }
  return parts.length === 0 ? undefined : parts.join(',');
}

/**
 * `HKEY_LOCAL_MACHINE\…`, `HKEY_USERS\…` and the kernel's `\REGISTRY\MACHINE\…`, `\REGISTRY\USER\…`
 * (Falcon's) as Sysmon and SigmaHQ's rules write them: `HKLM\…`, `HKU\…`.
 */
export function sysmonRegistryPath(key: string | undefined): string | undefined {
  return key?.replace(/^(?:HKEY_LOCAL_MACHINE|\\REGISTRY\\MACHINE)(?=\\|$)/i, 'HKLM').replace(/^(?:HKEY_USERS|\\REGISTRY\\USER)(?=\\|$)/i, 'HKU');
}

/** An account as Sysmon's `User` writes it: `DOMAIN\name`, or the name alone. */
export function sysmonUser(domain: FieldValue | undefined, name: FieldValue | undefined): string | undefined {
  const user = stringOf(name);
  if (user === undefined) return undefined;
  const realm = stringOf(domain);
  return realm === undefined ? user : `${realm}\\${user}`;
}
