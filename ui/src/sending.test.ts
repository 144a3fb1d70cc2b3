import { describe, expect, it } from 'vitest';
import type { SendingAccount } from './api';
import {
  defaultSmtpPort,
  isNoSendingAccount,
  isThisComputer,
  joinRecipients,
  looksLikeAddress,
  normalizeHost,
  parsePort,
  parseSmtpSecurity,
  portWasChosen,
  sameLogin,
  sendErrorText,
  sendingAccountText,
  sendNeedsSettings,
  sendNoteTitle,
  sendOutcomeText,
  sendQuestion,
  sendSubjectLine,
  senderText,
  smtpPortAfterSecurityChange,
  smtpSecurityHint,
  validateSmtp,
  type SmtpFields,
} from './sending';

describe('security and port', () => {
  it('parses the security', () => {
    expect(parseSmtpSecurity('tls')).toBe('tls');
    expect(parseSmtpSecurity('starttls')).toBe('starttls');
    expect(parseSmtpSecurity('plain')).toBe('plain');
    expect(parseSmtpSecurity('ssl')).toBeNull();
    expect(parseSmtpSecurity('')).toBeNull();
  });

  it('knows the usual ports', () => {
    expect(defaultSmtpPort('tls')).toBe(465);
    expect(defaultSmtpPort('starttls')).toBe(587);
    expect(defaultSmtpPort('plain')).toBe(25);
  });

  it('switches the port only when the user did not type one', () => {
    expect(smtpPortAfterSecurityChange('starttls', '465', false)).toBe('587');
    expect(smtpPortAfterSecurityChange('plain', '587', false)).toBe('25');
    expect(smtpPortAfterSecurityChange('tls', '25', false)).toBe('465');
    expect(smtpPortAfterSecurityChange('starttls', '2525', true)).toBe('2525');
  });

  it('counts a saved unusual port as chosen', () => {
    expect(portWasChosen({ port: 465, security: 'tls' })).toBe(false);
    expect(portWasChosen({ port: 587, security: 'starttls' })).toBe(false);
    expect(portWasChosen({ port: 2525, security: 'plain' })).toBe(true);
    expect(portWasChosen({ port: 587, security: 'tls' })).toBe(true);
  });

  it('reads a port in range', () => {
    expect(parsePort(' 587 ')).toBe(587);
    expect(parsePort('1')).toBe(1);
    expect(parsePort('65535')).toBe(65535);
    for (const bad of ['', '0', '65536', '-1', '1.5', '99a', '123456']) expect(parsePort(bad), bad).toBeNull();
  });
});

describe('addresses and hosts', () => {
  it('tells an address from other text', () => {
    for (const good of ['me@example.com', ' alex.doe+mail@mail.example.org ', 'me@localhost', 'x@y']) {
      expect(looksLikeAddress(good), good).toBe(true);
    }
    for (const bad of ['', 'me', '@example.com', 'me@', 'me@@example.com', 'a b@example.com', 'me@exa mple.com', 'Alex <me@example.com>', '.me@example.com', 'me@example..com', 'me@example.com.', 'a@b@c']) {
      expect(looksLikeAddress(bad), bad).toBe(false);
    }
  });

  it('knows this computer as the backend does', () => {
    for (const host of ['localhost', ' LOCALHOST ', '127.0.0.1', '::1', '[::1]']) expect(isThisComputer(host), host).toBe(true);
    for (const host of ['smtp.example.com', '127.0.0.2', 'mail.localhost', '192.168.1.2', '']) expect(isThisComputer(host), host).toBe(false);
    expect(normalizeHost(' [::1] ')).toBe('::1');
    expect(normalizeHost('SMTP.Example.com')).toBe('smtp.example.com');
  });

  it('hints what no encryption means', () => {
    expect(smtpSecurityHint('tls', 'smtp.example.com')).toBeNull();
    expect(smtpSecurityHint('starttls', 'localhost')).toBeNull();
    expect(smtpSecurityHint('plain', '127.0.0.1')).toMatch(/fine for a server on this computer/);
    expect(smtpSecurityHint('plain', 'smtp.example.com')).toMatch(/only allows it for a server on this computer/);
  });
});

const saved: SendingAccount = {
  from: 'alex@example.com',
  name: 'Alex Doe',
  host: 'smtp.example.com',
  port: 465,
  user: 'alex',
  security: 'tls',
  maxPerHour: 30,
};

describe('validateSmtp', () => {
  const good: SmtpFields = {
    from: ' alex@example.com ',
    name: ' Alex Doe ',
    host: ' SMTP.example.com ',
    port: ' 465 ',
    security: 'tls',
    user: ' alex ',
    password: ' secret with spaces ',
    max: ' 30 ',
  };
  const field = (f: Partial<SmtpFields>, account: SendingAccount | null = null) => {
    const r = validateSmtp({ ...good, ...f }, account);
    return r.ok ? null : r.field;
  };

  it('gives the account, trimmed except the password', () => {
    expect(validateSmtp(good, null)).toEqual({
      ok: true,
      account: {
        from: 'alex@example.com',
        name: 'Alex Doe',
        host: 'smtp.example.com',
        port: 465,
        user: 'alex',
        password: ' secret with spaces ',
        security: 'tls',
        maxPerHour: 30,
      },
    });
  });

  it('leaves the limit to the backend when it is empty', () => {
    const r = validateSmtp({ ...good, max: ' ' }, null);
    expect(r.ok && r.account.maxPerHour).toBeNull();
  });

  it('takes a server that needs no login', () => {
    const r = validateSmtp({ ...good, user: '', password: '', host: 'localhost', security: 'plain', port: '25' }, null);
    expect(r.ok && r.account).toMatchObject({ user: '', password: '', host: 'localhost', security: 'plain', port: 25 });
  });

  it('names the first wrong field', () => {
    expect(field({ from: ' ' })).toBe('from');
    expect(field({ from: 'alex' })).toBe('from');
    expect(field({ from: 'Alex <alex@example.com>' })).toBe('from');
    expect(field({ host: '' })).toBe('host');
    expect(field({ host: 'smtps://smtp.example.com' })).toBe('host');
    expect(field({ host: 'smtp.example.com:465' })).toBe('host');
    expect(field({ host: 'smtp example.com' })).toBe('host');
    expect(field({ port: '0' })).toBe('port');
    expect(field({ port: '70000' })).toBe('port');
    expect(field({ security: 'ssl' })).toBe('security');
    expect(field({ security: 'plain', host: 'smtp.example.com' })).toBe('security');
    expect(field({ user: '', password: 'secret' })).toBe('user');
    expect(field({ password: '' })).toBe('password');
    expect(field({ max: '0' })).toBe('max');
    expect(field({ max: '2.5' })).toBe('max');
    expect(field({ max: '10001' })).toBe('max');
    expect(field({ max: 'many' })).toBe('max');
    expect(field({ from: '', host: '' })).toBe('from');
  });

  it('allows no encryption only to this computer', () => {
    expect(field({ security: 'plain', host: '127.0.0.1', port: '2525' })).toBeNull();
    expect(field({ security: 'plain', host: '[::1]' })).toBeNull();
    const r = validateSmtp({ ...good, security: 'plain', host: 'smtp.example.com' }, null);
    expect(r.ok ? '' : r.message).toMatch(/only go to a server on this computer/);
  });

  it('keeps the saved password only for the same login', () => {
    expect(field({ password: '' }, saved)).toBeNull();
    expect(field({ password: '', from: 'other@example.com', name: '', max: '5' }, saved)).toBeNull();
    expect(field({ password: '', host: 'smtp.other.com' }, saved)).toBe('password');
    expect(field({ password: '', user: 'alex2' }, saved)).toBe('password');
    expect(field({ password: '', port: '587', security: 'starttls' }, saved)).toBe('password');
    const r = validateSmtp({ ...good, password: '', host: 'smtp.other.com' }, saved);
    expect(r.ok ? '' : r.message).toMatch(/password again/);
  });

  it('compares logins as the keyring does', () => {
    expect(sameLogin(saved, { host: 'SMTP.example.com', port: 465, user: 'alex', security: 'tls' })).toBe(true);
    expect(sameLogin(saved, { host: 'smtp.example.com', port: 465, user: 'Alex', security: 'tls' })).toBe(false);
  });
});

describe('the saved account in words', () => {
  it('names the sender', () => {
    expect(senderText(saved)).toBe('Alex Doe <alex@example.com>');
    expect(senderText({ from: 'alex@example.com', name: ' ' })).toBe('alex@example.com');
  });

  it('says how it is sent', () => {
    expect(sendingAccountText(saved)).toBe('Sending as Alex Doe <alex@example.com> through smtp.example.com:465 (TLS).');
    expect(sendingAccountText({ ...saved, name: '', host: '::1', port: 25, security: 'plain' })).toBe(
      'Sending as alex@example.com through [::1]:25 (no encryption).',
    );
  });
});

describe('the Send flow', () => {
  it('names every recipient', () => {
    expect(joinRecipients(['sara@example.com'])).toBe('sara@example.com');
    expect(joinRecipients(['Sara <sara@example.com>', ' ken@example.com '])).toBe('Sara <sara@example.com> and ken@example.com');
    expect(joinRecipients(['a@x', 'b@x', 'c@x'])).toBe('a@x, b@x and c@x');
    expect(joinRecipients([' '])).toBe('no one');
  });

  it('asks first', () => {
    expect(sendQuestion(['sara@example.com', 'ken@example.com'])).toBe('Send this reply to sara@example.com and ken@example.com now?');
    expect(sendSubjectLine('Re: Lunch Friday?')).toBe('Subject: Re: Lunch Friday?');
    expect(sendSubjectLine('  ')).toBe('Subject: (no subject)');
  });

  it('says what happened', () => {
    const item = { to: ['sara@example.com'], lastError: null };
    expect(sendOutcomeText({ ...item, state: 'sent' })).toBe('Sent to sara@example.com.');
    expect(sendOutcomeText({ ...item, state: 'queued', lastError: 'connection refused' })).toBe(
      'In the outbox: connection refused — it will be retried.',
    );
    expect(sendOutcomeText({ ...item, state: 'queued' })).toBe('In the outbox — it will be retried.');
    expect(sendOutcomeText({ ...item, state: 'failed', lastError: '550 no such user' })).toBe('Not sent: 550 no such user');
    expect(sendOutcomeText({ ...item, state: 'failed' })).toBe('Not sent: the server refused it.');
    expect(sendOutcomeText({ ...item, state: 'sending' })).toMatch(/outbox/);
    expect(sendOutcomeText({ ...item, state: 'cancelled' })).toMatch(/Taken back/);
  });

  it('titles the note', () => {
    expect(sendNoteTitle('sent')).toBe('Sent');
    expect(sendNoteTitle('queued')).toBe('Queued');
    expect(sendNoteTitle('failed')).toBe('Not sent');
  });

  it('sends the user to Settings when the account is missing', () => {
    const none = { kind: 'invalid_request', message: 'no sending account: set one first (`assistant outbox account ...` or Settings → Sending)' };
    expect(isNoSendingAccount(none)).toBe(true);
    expect(sendNeedsSettings(none)).toBe(true);
    expect(sendErrorText(none)).toMatch(/add one in Settings/);
    const password = { kind: 'password_missing', message: 'no password for smtps://alex@smtp.example.com:465' };
    expect(isNoSendingAccount(password)).toBe(false);
    expect(sendNeedsSettings(password)).toBe(true);
    expect(sendErrorText(password)).toMatch(/keyring/);
    const other = { kind: 'invalid_request', message: 'draft 3 has no recipient' };
    expect(sendNeedsSettings(other)).toBe(false);
    expect(sendErrorText(other)).toBe('draft 3 has no recipient');
    expect(sendNeedsSettings({ kind: 'not_found', message: 'draft 9 not found' })).toBe(false);
  });
});
