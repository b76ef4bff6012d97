/**
 * Package-registry allowlist by host name. A host is allowed when it equals a listed entry or is
 * a subdomain of one (`x.registry.npmjs.org`), never by substring: `registry.npmjs.org.evil.example`
 * and `evilregistry.npmjs.org` are not allowed. The seed rule's substring allowlist is the defect
 * this replaces (docs/seed.md, defect 2).
 */

/**
 * Public registries of the package managers the install context recognizes, with the download
 * hosts their clients actually fetch from. Mirrors and internal registries come from configuration.
 */
export const DEFAULT_REGISTRIES: readonly string[] = [
  'registry.npmjs.org', // npm, pnpm, bun
  'registry.yarnpkg.com', // yarn (a CNAME of the npm registry)
  'pypi.org', // pip: index
  'files.pythonhosted.org', // pip: package files
  'rubygems.org', // gem, bundler (index.rubygems.org is a subdomain)
  'crates.io', // cargo (index.crates.io, static.crates.io)
  'api.nuget.org', // NuGet v3 service index and packages
  'globalcdn.nuget.org', // NuGet package CDN
];

/** Lower-case, without a trailing dot or surrounding whitespace; '' when nothing is left. */
export function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  while (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

/** A compiled allowlist: exact names in a Set, subdomain checks by walking the name's suffixes. */
export class RegistryAllowlist {
  private readonly names: Set<string>;

  /** Entries are host names; a leading `*.` or `.` is accepted and means the same (name and subdomains). */
  constructor(entries: readonly string[] = DEFAULT_REGISTRIES) {
    this.names = new Set(entries.map((e) => normalizeHost(e.replace(/^\*?\./, ''))).filter((e) => e !== ''));
  }

  /** True when `host` is a listed name or a subdomain of one. */
  allows(host: string): boolean {
    const h = normalizeHost(host);
    if (h === '') return false;
    if (this.names.has(h)) return true;
    // Each proper suffix starting after a dot: a.b.c → b.c → c. Never a mid-label substring.
    for (let dot = h.indexOf('.'); dot !== -1; dot = h.indexOf('.', dot + 1)) {
      if (this.names.has(h.slice(dot + 1))) return true;
    }
    return false;
  }
}
