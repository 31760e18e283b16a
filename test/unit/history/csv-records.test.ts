import { describe, expect, it } from 'vitest';
import { CsvRecords, guessDelimiter, MAX_CSV_RECORD_CHARS } from '../../../core/history/csv-records.ts';

const record = (values: string[]) => ({ kind: 'record', values });

describe('CsvRecords', () => {
  it('splits a line at the delimiter, empty fields included', () => {
    const csv = new CsvRecords();
    expect(csv.push('a,b,,d')).toEqual(record(['a', 'b', '', 'd']));
    expect(csv.push('')).toEqual(record(['']));
  });

  it('reads quoted fields with delimiters and doubled quotes', () => {
    const csv = new CsvRecords();
    expect(csv.push('"a,1","say ""hi""",x')).toEqual(record(['a,1', 'say "hi"', 'x']));
    expect(csv.push('"",""""')).toEqual(record(['', '"']));
  });

  it('keeps a quote inside an unquoted field as text', () => {
    expect(new CsvRecords().push('5" screen,x')).toEqual(record(['5" screen', 'x']));
  });

  it('carries a quoted line break over to the next line, as one record', () => {
    const csv = new CsvRecords();
    expect(csv.push('1,"first')).toEqual({ kind: 'partial' });
    expect(csv.open).toBe(true);
    expect(csv.push('second, still"",')).toEqual({ kind: 'partial' });
    expect(csv.push('third",end')).toEqual(record(['1', 'first\nsecond, still",\nthird', 'end']));
    expect(csv.open).toBe(false);
    expect(csv.push('next,row')).toEqual(record(['next', 'row']));
  });

  it('gives up on a quote never closed, then reads on', () => {
    const csv = new CsvRecords();
    const long = 'x'.repeat(1024 * 1024);
    let result = csv.push('"open');
    for (let i = 0; result.kind === 'partial' && i < MAX_CSV_RECORD_CHARS / long.length + 2; i += 1)
      result = csv.push(long);
    expect(result).toEqual({ kind: 'overlong' });
    expect(csv.push('a,b')).toEqual(record(['a', 'b']));
  });

  it('takes another delimiter', () => {
    expect(new CsvRecords(';').push('a;"b;c";d')).toEqual(record(['a', 'b;c', 'd']));
    expect(new CsvRecords('\t').push('a\tb')).toEqual(record(['a', 'b']));
  });
});

describe('guessDelimiter', () => {
  it('is the most frequent of comma, semicolon and tab in the header', () => {
    expect(guessDelimiter('id,type,user_id')).toBe(',');
    expect(guessDelimiter('id;type;user_id')).toBe(';');
    expect(guessDelimiter('id\ttype\tuser_id')).toBe('\t');
    expect(guessDelimiter('id')).toBe(',');
  });
});
