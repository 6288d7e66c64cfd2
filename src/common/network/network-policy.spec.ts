import { NetworkPolicy, parseCidr } from './network-policy';

describe('NetworkPolicy', () => {
  const closed = new NetworkPolicy();

  it.each(['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '[::1]', '::ffff:127.0.0.1', '::ffff:7f00:1', 'fe80::1', 'fd00:ec2::254', '::'])(
    'refuses %s without an allow-list',
    (address) => expect(closed.allows(address)).toBe(false),
  );

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8'])('allows the public address %s', (address) => {
    expect(closed.allows(address)).toBe(true);
  });

  it('allows what TARGET_ALLOWED_NETWORKS lists, and only that', () => {
    const open = new NetworkPolicy(['127.0.0.0/8', '::1/128']);
    expect(open.allows('127.0.0.1')).toBe(true);
    expect(open.allows('::1')).toBe(true);
    expect(open.allows('::ffff:127.0.0.1')).toBe(true);
    expect(open.allows('169.254.169.254')).toBe(false);
    expect(open.allows('10.0.0.1')).toBe(false);
  });

  it('checks endpoint hosts at create time only when they are literal addresses or localhost', () => {
    expect(closed.allowsEndpointHost('localhost')).toBe(false);
    expect(closed.allowsEndpointHost('[::1]')).toBe(false);
    expect(closed.allowsEndpointHost('169.254.169.254')).toBe(false);
    expect(closed.allowsEndpointHost('example.com')).toBe(true);
    expect(new NetworkPolicy(['127.0.0.0/8', '::1/128']).allowsEndpointHost('localhost')).toBe(true);
  });

  it('parses CIDRs and refuses malformed ones', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    expect(parseCidr('::1/128')).toEqual({ address: '::1', prefix: 128, family: 'ipv6' });
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('example.com/8')).toBeUndefined();
    expect(parseCidr('10.0.0.0')).toBeUndefined();
  });
});
