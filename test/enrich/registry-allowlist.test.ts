import { describe, expect, it } from 'vitest';
import { DEFAULT_REGISTRIES, RegistryAllowlist } from '../../src/enrich/registry-allowlist.js';

describe('registry allowlist', () => {
  const list = new RegistryAllowlist();

  it('allows a listed registry exactly and its subdomains', () => {
    expect(list.allows('registry.npmjs.org')).toBe(true);
    expect(list.allows('REGISTRY.NPMJS.ORG.')).toBe(true); // case and the root dot do not matter
    expect(list.allows('index.rubygems.org')).toBe(true);
    expect(list.allows('static.crates.io')).toBe(true);
  });

  it('never allows by substring', () => {
    expect(list.allows('registry.npmjs.org.evil.example')).toBe(false);
    expect(list.allows('evilregistry.npmjs.org')).toBe(false);
    expect(list.allows('npmjs.org')).toBe(false); // a parent of a listed name is not listed
    expect(list.allows('pypi.org-files.example')).toBe(false);
    expect(list.allows('xpypi.org')).toBe(false);
    expect(list.allows('')).toBe(false);
  });

  it('takes a configured list (mirrors), with *. or . meaning the same as the bare name', () => {
    const corp = new RegistryAllowlist(['artifactory.corp.example', '*.mirror.example', '.pkgs.example']);
    expect(corp.allows('artifactory.corp.example')).toBe(true);
    expect(corp.allows('eu.artifactory.corp.example')).toBe(true);
    expect(corp.allows('mirror.example')).toBe(true);
    expect(corp.allows('a.pkgs.example')).toBe(true);
    expect(corp.allows('registry.npmjs.org')).toBe(false); // the default list is replaced, not extended
    expect(corp.allows('artifactory.corp.example.attacker.example')).toBe(false);
  });

  it('has a documented default list of public registries', () => {
    expect(DEFAULT_REGISTRIES).toContain('registry.npmjs.org');
    expect(DEFAULT_REGISTRIES).toContain('files.pythonhosted.org');
  });
});
