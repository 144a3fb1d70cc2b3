import { describe, expect, it } from 'vitest';
import type { CloudCall } from './api';
import {
  allowedText,
  callFacts,
  callOutcomeText,
  cloudReasonText,
  countText,
  errorField,
  featureName,
  listText,
  localPreviewText,
  placeholderLine,
  previewHeadline,
  validateCloud,
} from './cloud';

describe('features', () => {
  it('names them', () => {
    expect(featureName('reply')).toBe('Smart replies');
    expect(featureName('summarize')).toBe('Summaries');
    expect(featureName('ask')).toBe('Ask');
    expect(featureName('actions')).toBe('Actions');
    expect(featureName('chat')).toBe('Chat');
    expect(featureName('something')).toBe('something');
  });

  it('lists the allowed ones, or says none is', () => {
    expect(allowedText(['summarize', 'ask'])).toBe('Summaries, Ask');
    expect(allowedText([])).toMatch(/nothing is sent/);
  });
});

describe('validateCloud', () => {
  const fields = { baseUrl: ' https://api.example.com/v1 ', model: ' gpt-4o-mini ', apiKey: ' sk-1 ', allows: ['ask', 'reply'] };

  it('trims, and sends the features in the form order', () => {
    expect(validateCloud(fields, null)).toEqual({
      ok: true,
      cloud: { baseUrl: 'https://api.example.com/v1', model: 'gpt-4o-mini', apiKey: 'sk-1', allows: ['reply', 'ask'] },
    });
  });

  it('takes a local server with a port and no key', () => {
    const check = validateCloud({ ...fields, baseUrl: 'http://127.0.0.1:8080/v1', apiKey: '' }, null);
    expect(check.ok && check.cloud.apiKey).toBe('');
    expect(check.ok && check.cloud.baseUrl).toBe('http://127.0.0.1:8080/v1');
  });

  it('refuses a URL without http(s):// and an empty model', () => {
    for (const baseUrl of ['', 'api.example.com/v1', 'ftp://x/v1', 'https://', 'https://a b/v1']) {
      const check = validateCloud({ ...fields, baseUrl }, null);
      expect(check.ok ? null : check.field).toBe('baseUrl');
    }
    const check = validateCloud({ ...fields, model: '  ' }, null);
    expect(check.ok ? null : check.field).toBe('model');
  });

  it('keeps saved features the form does not show', () => {
    const check = validateCloud({ ...fields, allows: [] }, { baseUrl: 'x', model: 'y', allows: ['chat', 'ask'] });
    expect(check.ok && check.cloud.allows).toEqual(['chat']);
  });
});

describe('errorField', () => {
  it('reads the field from the backend words', () => {
    expect(errorField('base_url: give http(s)://host[:port]/v1')).toBe('baseUrl');
    expect(errorField('unknown feature "mail"')).toBe('allows');
    expect(errorField('model: empty')).toBe('model');
    expect(errorField('the keyring is locked')).toBeNull();
  });
});

describe('words', () => {
  const call: CloudCall = {
    id: 1,
    at: 1_700_000_000,
    feature: 'summarize',
    server: 'https://api.example.com/v1',
    model: 'gpt-4o-mini',
    chars: 1234,
    sources: ['Inbox', 'Notes', 'Work'],
    placeholders: 1,
    outcome: 'ok',
  };

  it('counts and lists', () => {
    expect(countText(1, 'character')).toBe('1 character');
    expect(countText(12345, 'character')).toBe('12,345 characters');
    expect(listText([])).toBe('');
    expect(listText(['A'])).toBe('A');
    expect(listText(['A', 'B'])).toBe('A and B');
    expect(listText(['A', 'B', 'C'])).toBe('A, B and C');
  });

  it('describes a call', () => {
    expect(callFacts(call)).toEqual([
      '1,234 characters',
      '1 personal detail as placeholders',
      'from Inbox, Notes and Work',
      'to gpt-4o-mini at https://api.example.com/v1',
    ]);
    expect(callOutcomeText(call)).toBe('Sent');
    expect(callOutcomeText({ outcome: 'HTTP 401' })).toBe('Failed: HTTP 401');
  });

  it('words the preview', () => {
    expect(previewHeadline({ chars: 10, sources: ['Inbox'], model: 'm', server: 'https://s/v1' })).toBe(
      'Sends 10 characters from Inbox to m at https://s/v1',
    );
    expect(previewHeadline({ chars: 1, sources: [], model: 'm', server: 's' })).toBe('Sends 1 character to m at s');
    expect(placeholderLine(['[PHONE_1]', '+46 70 123 45 67'])).toBe('[PHONE_1] stays here: +46 70 123 45 67');
    expect(localPreviewText('no cloud model is set')).toBe('Stays on this device: no cloud model is set.');
    expect(localPreviewText('done.')).toBe('Stays on this device: done.');
    expect(localPreviewText('')).toBe('Stays on this device.');
  });
});

describe('cloudReasonText', () => {
  it('says why the text goes, with a full stop', () => {
    expect(cloudReasonText('you asked for the cloud model')).toBe('Goes to the cloud model: you asked for the cloud model.');
    expect(cloudReasonText('the local model could not answer.')).toBe('Goes to the cloud model: the local model could not answer.');
    expect(cloudReasonText('  ')).toBeNull();
  });
});
