import { describe, expect, it } from 'vitest';
import type { PlannedRequest } from './api';
import {
  actionName,
  contextMessage,
  dueText,
  filedInText,
  looksLikeAction,
  planErrorText,
  proposedByText,
  runButtonText,
  undoStateText,
} from './actions';

describe('looksLikeAction', () => {
  it('is true for a request that starts with an action verb', () => {
    for (const text of [
      'Forward the 3 most recent emails from Kenneth to Sara',
      'forward the latest email from Kenneth Lay to Sara Lindqvist and Tom, saying FYI',
      'Send the newest mail from Ana Ruiz on to bo@example.com',
      'Reply to this saying I can meet on Monday and archive it',
      'respond to Sara with thanks',
      'Answer this email: yes',
      'archive this email',
      'File this under Legal',
      'move the latest email from Gerald to the Legal folder',
      'label this email as Urgent',
      'Tag it Finance',
      'flag it',
      'Star the email from Tana',
      'mark this as read',
      'Summarize the 2 latest emails from Tana and flag them',
      'summarise my day',
      'Open the latest email from Kenneth',
      'show the emails from Sara',
      'search for gas storage contracts',
      'Find the email about the offsite',
      'create a note called Gas contracts saying call Gerald on Monday',
      'Make a note about the budget',
      'add pick up the contract to my note Weekly plan',
      'Append to the note Inbox: call Ana',
      'remind me to call Tana tomorrow at 9am',
      'Compose an email to Bo',
      'write an email to Sara about the budget saying can we meet on Friday?',
      'Draft a reply to this',
      'Email bo@example.com with subject Q3 plan saying please send the numbers',
      'FORWARD IT TO SARA',
    ]) {
      expect(looksLikeAction(text), text).toBe(true);
    }
  });

  it('looks past a polite lead', () => {
    expect(looksLikeAction('Please forward the latest email from Kenneth to Sara')).toBe(true);
    expect(looksLikeAction('please, archive this')).toBe(true);
    expect(looksLikeAction('Can you remind me to call Tana tomorrow?')).toBe(true);
    expect(looksLikeAction('can you please summarize this thread')).toBe(true);
    expect(looksLikeAction('Could you flag it')).toBe(true);
    expect(looksLikeAction('  "Forward it to Sara"')).toBe(true);
  });

  it('is false for questions and other text', () => {
    for (const text of [
      'What did Kenneth say about the budget?',
      'what is happening this week?',
      'When do the offsite flights need booking?',
      'Who sent the contract?',
      'Can you tell me what Sara wants?',
      'Is the meeting on Friday?',
      'Kenneth forwarded something yesterday, what was it?',
      'please',
      'can you',
      '',
      '   ',
    ]) {
      expect(looksLikeAction(text), text).toBe(false);
    }
  });

  it('needs the whole verb, not a word that starts with one', () => {
    expect(looksLikeAction('Forwarding rules: how do they work?')).toBe(false);
    expect(looksLikeAction('Emails from Kenneth this week?')).toBe(false);
    expect(looksLikeAction('Marketing plan status?')).toBe(false);
    expect(looksLikeAction('Showroom opening date?')).toBe(false);
    expect(looksLikeAction('Addresses of the team?')).toBe(false);
    expect(looksLikeAction("Send-off party: who's coming?")).toBe(false);
  });
});

describe('planErrorText', () => {
  it('leads with a friendly line per kind', () => {
    expect(planErrorText({ kind: 'unsupported', message: 'I can forward, reply and archive' })).toEqual({
      lead: "I can't do that.",
      message: 'I can forward, reply and archive',
    });
    expect(planErrorText({ kind: 'ambiguous', message: '`Sara` could mean A, or B: say which' })).toEqual({
      lead: 'Which one?',
      message: '`Sara` could mean A, or B: say which',
    });
    expect(planErrorText({ kind: 'not_found', message: 'no messages from Zed' })).toEqual({
      lead: "I couldn't find that.",
      message: 'No messages from Zed',
    });
  });

  it('gives other kinds the message alone', () => {
    expect(planErrorText({ kind: 'invalid_request', message: '"this email": open a message first' })).toEqual({
      lead: null,
      message: '"this email": open a message first',
    });
    expect(planErrorText({ kind: 'error', message: ' boom ' })).toEqual({ lead: null, message: 'Boom' });
  });
});

describe('plan words', () => {
  const planned = (needsConfirmation: boolean, proposedBy: PlannedRequest['proposedBy']): PlannedRequest => ({
    plan: { actions: [], needsConfirmation },
    steps: [],
    proposedBy,
    elapsedMs: 1,
    notice: null,
  });

  it('says Send for a plan that sends mail, else Run', () => {
    expect(runButtonText(planned(true, 'rules'))).toBe('Send');
    expect(runButtonText(planned(false, 'rules'))).toBe('Run');
  });

  it('says who proposed the plan', () => {
    expect(proposedByText(planned(false, 'rules'))).toBe('Proposed by the rules');
    expect(proposedByText(planned(false, 'model'))).toBe('Proposed by the model');
    expect(proposedByText(planned(false, 'cloud'))).toBe('Proposed by the cloud model');
  });

  it('names actions and undo states', () => {
    expect(actionName('mark_read')).toBe('Mark read');
    expect(actionName('forward')).toBe('Forward');
    expect(actionName('')).toBe('Action');
    expect(undoStateText('available')).toBe('Can be undone');
    expect(undoStateText('undone')).toBe('Undone');
    expect(undoStateText('none')).toBe('');
  });
});

describe('dueText', () => {
  const now = new Date(2024, 10, 14, 16, 30); // Thu 14 Nov 2024
  const secs = (d: Date) => d.getTime() / 1000;

  it('names today and tomorrow', () => {
    expect(dueText(secs(new Date(2024, 10, 14, 18, 0)), now, 'en-GB')).toBe('Today, 18:00');
    expect(dueText(secs(new Date(2024, 10, 15, 9, 0)), now, 'en-GB')).toBe('Tomorrow, 09:00');
    expect(dueText(secs(new Date(2024, 10, 13, 9, 0)), now, 'en-GB')).toBe('Yesterday, 09:00');
  });

  it('gives the day and, in another year, the year', () => {
    // (ICU versions differ on the comma after the weekday.)
    expect(dueText(secs(new Date(2024, 10, 22, 9, 5)), now, 'en-GB')).toMatch(/^Fri,? 22 Nov, 09:05$/);
    expect(dueText(secs(new Date(2025, 0, 3, 9, 5)), now, 'en-GB')).toMatch(/^Fri,? 3 Jan 2025, 09:05$/);
    expect(dueText(Number.NaN, now)).toBe('');
  });
});

describe('filedInText', () => {
  it('says where a message is filed', () => {
    expect(filedInText({ filedIn: '' })).toBeNull();
    expect(filedInText({ filedIn: 'Archive' })).toBe('Archived');
    expect(filedInText({ filedIn: 'Legal' })).toBe('In Legal');
  });
});

describe('contextMessage', () => {
  it('is the message the Assistant was opened about', () => {
    expect(contextMessage(null)).toBeNull();
    expect(contextMessage({ id: 't5', message: 'm12' })).toBe('m12');
    expect(contextMessage({ id: 'm7' })).toBe('m7');
    expect(contextMessage({ id: 't5' })).toBeNull();
    expect(contextMessage({ id: 'n3', message: null })).toBeNull();
  });
});
