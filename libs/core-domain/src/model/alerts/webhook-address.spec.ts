import { describe, expect, it } from '@jest/globals';
import { isPrivateAddress, parseIpv4, parseIpv6, webhookUrlProblem } from './webhook-address.js';

describe('rule: webhook SSRF address rules', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254', // cloud metadata
    '0.0.0.0',
    '100.64.0.1',
    '2130706433', // 127.0.0.1 in decimal
    '0177.0.0.1', // octal
    '0x7f.0.0.1', // hex
    '0x7f000001',
    '127.1', // inet_aton short form
    '017700000001',
    '::1',
    '::',
    '[::1]',
    'fc00::1',
    'fd00:ec2::254', // AWS IPv6 metadata
    'fe80::1',
    'fe80::1%eth0',
    '::ffff:127.0.0.1', // IPv4-mapped
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:a9fe:a9fe', // 169.254.169.254 mapped
    '64:ff9b::10.0.0.1', // NAT64 of a private address
  ])('refuses %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '192.169.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '2001:db8::1',
  ])('accepts the public address %s', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it('parses the inet_aton forms and IPv6 groups', () => {
    expect(parseIpv4('2130706433')).toBe(0x7f000001);
    expect(parseIpv4('0177.0.0.1')).toBe(0x7f000001);
    expect(parseIpv4('256.0.0.1')).toBeUndefined();
    expect(parseIpv4('1.2.3.4.5')).toBeUndefined();
    expect(parseIpv4('example.com')).toBeUndefined();
    expect(parseIpv6('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    expect(parseIpv6('1::2')).toEqual([1, 0, 0, 0, 0, 0, 0, 2]);
    expect(parseIpv6('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseIpv6('1::2::3')).toBeUndefined();
    expect(parseIpv6('12345::')).toBeUndefined();
  });

  it('URLs: https only, no credentials, at most 2,048 characters, no private or local hosts', () => {
    expect(webhookUrlProblem('https://hooks.example.com/x', false)).toBeUndefined();
    expect(webhookUrlProblem('http://hooks.example.com/x', false)).toMatch(/https/);
    expect(webhookUrlProblem('https://user:pw@hooks.example.com/', false)).toMatch(/credentials/);
    expect(webhookUrlProblem(`https://example.com/${'a'.repeat(2048)}`, false)).toMatch(/2048/);
    expect(webhookUrlProblem('not a url', false)).toMatch(/absolute/);
    for (const host of [
      '127.0.0.1',
      '2130706433',
      '0177.0.0.1',
      '[::1]',
      '[::ffff:127.0.0.1]',
      'localhost',
      '169.254.169.254',
    ]) {
      expect({ host, problem: webhookUrlProblem(`https://${host}/hook`, false) }).toEqual({
        host,
        problem: expect.stringMatching(/must not point/),
      });
    }
    // WEBHOOK_ALLOW_PRIVATE=true (npm start, tests): local http receivers are fine.
    expect(webhookUrlProblem('http://127.0.0.1:9999/hook', true)).toBeUndefined();
    expect(webhookUrlProblem('ftp://127.0.0.1/hook', true)).toMatch(/https/);
  });
});
