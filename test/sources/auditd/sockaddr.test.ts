import { describe, expect, it } from 'vitest';
import { decodeSockaddr } from '../../../src/sources/auditd/sockaddr.js';

// Expected values built by hand from the struct layouts (family LE, port and address BE).
describe('SOCKADDR saddr', () => {
  it('inet: 0200 01BB C0000207 → 192.0.2.7:443', () => {
    expect(decodeSockaddr('020001BBC00002070000000000000000')).toEqual({ family: 'inet', ip: '192.0.2.7', port: 443 });
  });

  it('inet6, compressed and IPv4-mapped', () => {
    expect(decodeSockaddr('0A000050' + '00000000' + '20010DB8000000000000000000000001' + '00000000')).toEqual({ family: 'inet6', ip: '2001:db8::1', port: 80 });
    expect(decodeSockaddr('0A0001BB' + '00000000' + '00000000000000000000FFFF7F000001' + '00000000')).toEqual({ family: 'inet6', ip: '::ffff:127.0.0.1', port: 443 });
    expect(decodeSockaddr('0A000035' + '00000000' + '00000000000000000000000000000001' + '00000000')).toEqual({ family: 'inet6', ip: '::1', port: 53 });
    expect(decodeSockaddr('0A000035' + '00000000' + '00010002000300040005000600070008' + '00000000')).toEqual({ family: 'inet6', ip: '1:2:3:4:5:6:7:8', port: 53 });
  });

  it('unix paths and abstract sockets', () => {
    expect(decodeSockaddr('01002F746D702F7300')).toEqual({ family: 'unix', path: '/tmp/s' });
    expect(decodeSockaddr('0100006162')).toEqual({ family: 'unix', path: '@ab' });
  });

  it('other families, short and non-hex input', () => {
    expect(decodeSockaddr('10000000')).toEqual({ family: 'other', number: 16 });
    expect(decodeSockaddr('0200')).toBeUndefined();
    expect(decodeSockaddr('zz00')).toBeUndefined();
  });
});
