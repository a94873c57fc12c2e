/** Environment parsing that decides security behaviour: TRUST_PROXY. */
import { describe, expect, it } from 'vitest';
import { loadConfig, trustProxy } from './config.js';

describe('TRUST_PROXY', () => {
  it('is off unless set', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    for (const v of ['', '0', 'false', 'off']) expect(trustProxy(v)).toBe(false);
  });
  it('takes a hop count or proxy addresses and CIDRs', () => {
    expect(trustProxy('1')).toBe(1);
    expect(trustProxy('2')).toBe(2);
    expect(trustProxy('127.0.0.1, 10.0.0.0/8,::1,fd00::/8')).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']);
    expect(trustProxy('loopback')).toEqual(['loopback']);
  });
  it('refuses anything else, naming what it wants', () => {
    for (const v of ['true', 'nginx', '10.0.0.0/33', '300.1.1.1', '10.0.0.1/8/1']) {
      expect(() => trustProxy(v)).toThrow(/TRUST_PROXY must be a hop count/);
    }
  });
});
