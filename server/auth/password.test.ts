/** The password policy for accounts: length, not the username, not a well-known password. */
import { describe, expect, it } from 'vitest';
import { passwordProblem } from './password.js';

describe('passwordProblem', () => {
  it('refuses short passwords, counting characters (not UTF-16 units)', () => {
    expect(passwordProblem('12345678')?.en).toMatch(/at least 10 characters/);
    expect(passwordProblem('ab-cd-ef1')?.en).toMatch(/at least 10/);
    expect(passwordProblem('生活圈密码好长不')?.en).toMatch(/at least 10/); // 8 characters
    expect(passwordProblem('生活圈的密码要足够长')).toBeNull(); // 10 characters
  });
  it('refuses the username, or a password built on it', () => {
    expect(passwordProblem('zhangsan-editor', 'zhangsan-editor')?.en).toMatch(/username/);
    expect(passwordProblem('Zhangsan2026!', 'zhangsan')?.en).toMatch(/username/);
    // A two-letter username inside a long password is no real hint.
    expect(passwordProblem('li-river-bridge-7', 'li')).toBeNull();
  });
  it('refuses well-known passwords without regard to case, and one repeated character', () => {
    for (const p of ['1234567890', 'QWERTYUIOP', 'Password123', 'woaini1314', '1qaz2wsx3edc', 'lifecircle-demo', 'administrator']) {
      expect(passwordProblem(p)?.en, p).toMatch(/common password/);
    }
    expect(passwordProblem('xxxxxxxxxxxx')?.en).toMatch(/repeated/);
  });
  it('accepts a long unremarkable password, and refuses one over 200 characters', () => {
    expect(passwordProblem('river-lantern-42-orchard', 'wang')).toBeNull();
    expect(passwordProblem('x1'.repeat(101))?.en).toMatch(/at most 200/);
  });
});
