import { readFileSync } from 'node:fs';

/** Vendor and product as SIEM headers name them (LEEF, CEF, SARIF, ECS). */
export const VENDOR = 'supplywatch';
export const PRODUCT = 'supplywatch';

/** The package's version, from its package.json (two levels above dist/outputs, dist/bin or src/outputs). */
export const PRODUCT_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0';
  }
})();
