import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { readAwinReport } from '../../src/reports/awin-report.js';
import { readCsvReport } from '../../src/reports/csv-report.js';
import { ReportFileError } from '../../src/reports/parsed-report.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
const OPTIONS = { partner: 'demo', timeZone: 'Europe/Berlin' };

describe('CSV report', () => {
  it('maps the example file', () => {
    const report = readCsvReport(fixture('report.csv'), OPTIONS);
    expect(report.errors).toEqual([]);
    expect(report.positions).toEqual([0, 1, 2, 3]);
    expect(report.rows[0]).toEqual({
      domain: 'garden-tools.example',
      eventType: 'SALE',
      partner: 'demo',
      transactionId: 'csv-1',
      clickId: undefined,
      grossAmount: '12.50',
      currency: 'EUR',
      status: 'PENDING',
      occurredAt: new Date('2026-11-28T14:05:09Z'),
    });
    // Times without an offset are wall-clock times in the report's time zone.
    expect(report.rows[1]!.occurredAt).toEqual(new Date('2026-11-29T09:00:00Z'));
    expect(report.rows[2]).toMatchObject({ eventType: 'LEAD', status: undefined, occurredAt: new Date('2026-11-29T23:00:00Z') });
  });

  it('accepts the batch-import column names', () => {
    const text = 'event_type,domain,transaction_id,gross_amount,partner_slug,created_at\nclick,a.example,t-1,0,demo,2026-11-28T10:00:00Z\n';
    const report = readCsvReport(text, OPTIONS);
    expect(report.rows).toEqual([expect.objectContaining({ eventType: 'CLICK', transactionId: 't-1', grossAmount: '0', occurredAt: new Date('2026-11-28T10:00:00Z') })]);
  });

  it.each([
    ['an unknown event type', 'refund,a.example,t-1,1.00,', /eventType "refund"/],
    ['an unknown status', 'sale,a.example,t-1,1.00,paid', /status "paid"/],
  ])('reports %s as a row error', (_label, line, message) => {
    const report = readCsvReport(`eventType,domain,transactionId,grossAmount,status\n${line}\n`, OPTIONS);
    expect(report.rows).toEqual([]);
    expect(report.errors).toEqual([{ index: 0, code: 'INVALID_FIELD', message: expect.stringMatching(message) }]);
  });

  it('reports a row of another partner', () => {
    const report = readCsvReport('partner,eventType,domain,transactionId,grossAmount\nawin,sale,a.example,t-1,1.00\n', OPTIONS);
    expect(report.errors[0]!.message).toMatch(/partner "awin" differs/);
  });

  it('reports a malformed time', () => {
    const report = readCsvReport('eventType,domain,transactionId,grossAmount,occurredAt\nsale,a.example,t-1,1.00,28.11.2026\n', OPTIONS);
    expect(report.errors[0]!.message).toMatch(/occurredAt "28.11.2026"/);
  });

  it.each([
    ['an empty file', '', /empty/],
    ['an unknown column', 'eventType,domain,transactionId,grossAmount,price\n', /column "price" is unknown/],
    ['a missing column', 'eventType,domain,grossAmount\n', /lacks the required column\(s\) transactionId/],
    ['a short row', 'eventType,domain,transactionId,grossAmount\nsale,a.example\n', /malformed/],
  ])('rejects %s', (_label, text, message) => {
    expect(() => readCsvReport(text, OPTIONS)).toThrow(ReportFileError);
    expect(() => readCsvReport(text, OPTIONS)).toThrow(message);
  });
});

describe('Awin transactions report', () => {
  it('maps the example report', () => {
    const report = readAwinReport(fixture('awin-transactions-report.json'), { partner: 'awin', timeZone: 'Europe/London' });
    expect(report.errors).toEqual([]);
    expect(report.rows[0]).toEqual({
      domain: 'garden-tools.example',
      eventType: 'SALE',
      partner: 'awin',
      transactionId: '105956531',
      clickId: '6f1c2a9e4b7d4e0fa3c1d2e3f4a5b6c7',
      grossAmount: '1.64',
      currency: 'GBP',
      status: 'CONFIRMED',
      occurredAt: new Date('2026-11-28T14:05:09Z'),
    });
    expect(report.rows.map((row) => [row.transactionId, row.status, row.grossAmount])).toEqual([
      ['105956531', 'CONFIRMED', '1.64'],
      ['105956532', 'PENDING', '0.96'],
      ['105956540', 'REJECTED', '2.4'],
      ['105956577', 'REJECTED', '0.5'],
    ]);
  });

  const item = (fields: Record<string, unknown>) =>
    JSON.stringify([{ id: 1, commissionStatus: 'pending', commissionAmount: { amount: 1.5, currency: 'EUR' }, clickRefs: { clickRef: 'a.example' }, type: 'Sale', ...fields }]);

  it.each([
    ['Sale', 'SALE'],
    ['Lead', 'LEAD'],
    ['Bonus', 'SALE'],
    ['Commission group transaction', 'SALE'],
  ])('maps type %s to %s', (type, eventType) => {
    expect(readAwinReport(item({ type }), OPTIONS).rows[0]!.eventType).toBe(eventType);
  });

  it('keeps the exact amount digits', () => {
    const report = readAwinReport('[{"id": 7, "commissionStatus": "approved", "commissionAmount": {"amount": 0.100000, "currency": "EUR"}, "clickRefs": {"clickRef": "a.example"}}]', OPTIONS);
    expect(report.rows[0]!.grossAmount).toBe('0.100000');
  });

  it.each([
    ['a missing id', { id: undefined }, /id is missing/],
    ['an unknown status', { commissionStatus: 'paid' }, /commissionStatus "paid"/],
    ['an unknown type', { type: 'Refund' }, /type "Refund"/],
    ['a missing clickRef', { clickRefs: {} }, /clickRefs.clickRef is missing/],
    ['a numeric clickRef', { clickRefs: { clickRef: '42' } }, /numeric domain id/],
    ['a missing amount', { commissionAmount: { currency: 'EUR' } }, /commissionAmount.amount is missing/],
    ['a malformed date', { transactionDate: 'yesterday' }, /transactionDate "yesterday"/],
  ])('reports %s as a row error', (_label, fields, message) => {
    const report = readAwinReport(item(fields), OPTIONS);
    expect(report.rows).toEqual([]);
    expect(report.errors).toEqual([{ index: 0, code: 'INVALID_FIELD', message: expect.stringMatching(message) }]);
  });

  it.each([
    ['invalid JSON', '[{', /not valid JSON/],
    ['an object', '{"transactions": []}', /must be a JSON array/],
  ])('rejects %s', (_label, text, message) => {
    expect(() => readAwinReport(text, OPTIONS)).toThrow(message);
  });
});
