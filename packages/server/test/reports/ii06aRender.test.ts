import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import type { Ii06aReport, Ii06aRow } from '../../../domain/src/ii06a.ts';
import { renderIi06aCsv } from '../../src/modules/reports/ii06aCsv.ts';
import { II06A_TITLE, renderIi06aXlsx } from '../../src/modules/reports/ii06aXlsx.ts';

const row1: Ii06aRow = {
  code: 'LV01',
  name: 'Hộ tịch',
  receivedTotal: 1234,
  receivedOnline: 1000,
  receivedDirect: 200,
  carriedOver: 34,
  resolvedTotal: 1200,
  resolvedBefore: 700,
  resolvedOn: 450,
  resolvedLate: 50,
  withdrawn: 4,
  inProgressTotal: 30,
  inProgressWithin: 25,
  inProgressOverdue: 5,
};
const row2: Ii06aRow = {
  code: 'LV02',
  name: '=Đất đai, "tranh chấp"',
  receivedTotal: 10,
  receivedOnline: 3,
  receivedDirect: 5,
  carriedOver: 2,
  resolvedTotal: 6,
  resolvedBefore: 1,
  resolvedOn: 4,
  resolvedLate: 1,
  withdrawn: 1,
  inProgressTotal: 3,
  inProgressWithin: 2,
  inProgressOverdue: 1,
};
const total: Ii06aRow = {
  code: 'TOTAL',
  name: 'Tổng cộng',
  receivedTotal: 1244,
  receivedOnline: 1003,
  receivedDirect: 205,
  carriedOver: 36,
  resolvedTotal: 1206,
  resolvedBefore: 701,
  resolvedOn: 454,
  resolvedLate: 51,
  withdrawn: 5,
  inProgressTotal: 33,
  inProgressWithin: 27,
  inProgressOverdue: 6,
};

/** ExcelJS types `load` with its own ArrayBuffer-shaped Buffer; hand it an exact ArrayBuffer copy. */
function arrayBufferOf(buf: Buffer): ArrayBuffer {
  return new Uint8Array(buf).buffer;
}

const report: Ii06aReport = {
  period: { from: '2025-01-01', to: '2025-03-31' },
  unit: { code: 'H01', name: 'UBND huyện Mường Tè' },
  by: 'sector',
  rows: [row1, row2],
  total,
  checks: [
    { rule: 'balance', row: 'TOTAL', ok: true, detail: 'receivedTotal = resolved + withdrawn + inProgress: 1244 = 1244' },
    { rule: 'rowsAddUp', row: 'TOTAL', ok: false, detail: 'withdrawn: rows 5 ≠ total 6' },
  ],
  generatedAt: '2025-04-01T02:00:00.000Z',
};

describe('renderIi06aCsv', () => {
  const csv = renderIi06aCsv(report);
  const lines = csv.slice(1).split('\r\n');

  it('starts with a UTF-8 BOM and uses CRLF line ends', () => {
    assert.equal(csv.charCodeAt(0), 0xfeff);
    assert.ok(csv.endsWith('\r\n'));
    assert.equal(csv.replace(/\r\n/g, '').includes('\n'), false);
    assert.equal(lines.length, 5); // header, 2 rows, total, trailing empty
    assert.equal(lines[4], '');
  });

  it('writes the Vietnamese header', () => {
    assert.equal(
      lines[0],
      'STT,Mã,Tên đơn vị/lĩnh vực,Tiếp nhận - Tổng số,Tiếp nhận - Trực tuyến,"Tiếp nhận - Trực tiếp, bưu chính",' +
        'Tiếp nhận - Từ kỳ trước,Đã giải quyết - Tổng số,Đã giải quyết - Trước hạn,Đã giải quyết - Đúng hạn,' +
        'Đã giải quyết - Quá hạn,"Rút hồ sơ, dừng xử lý",Đang giải quyết - Tổng số,Đang giải quyết - Trong hạn,' +
        'Đang giải quyết - Quá hạn',
    );
  });

  it('writes plain integers without thousands separators', () => {
    assert.equal(lines[1], '1,LV01,Hộ tịch,1234,1000,200,34,1200,700,450,50,4,30,25,5');
  });

  it('quotes commas and quotes and guards formula injection', () => {
    assert.equal(lines[2], `2,LV02,"'=Đất đai, ""tranh chấp""",10,3,5,2,6,1,4,1,1,3,2,1`);
  });

  it('ends with the total line', () => {
    assert.equal(lines[3], ',,Tổng cộng,1244,1003,205,36,1206,701,454,51,5,33,27,6');
  });

  it('guards every formula-leading character', () => {
    for (const lead of ['=', '+', '-', '@']) {
      const out = renderIi06aCsv({ ...report, rows: [{ ...row1, name: `${lead}1+1` }] });
      assert.equal(out.split('\r\n')[1], `1,LV01,'${lead}1+1,1234,1000,200,34,1200,700,450,50,4,30,25,5`);
    }
  });

  it('writes English headers and total label', () => {
    const en = renderIi06aCsv(report, 'en').slice(1).split('\r\n');
    assert.ok(en[0]?.startsWith('No.,Code,Unit/sector name,Received - Total,Received - Online,"Received - In person, by post"'));
    assert.ok(en[0]?.endsWith('In progress - Total,In progress - Within deadline,In progress - Overdue'));
    assert.ok(en[3]?.startsWith(',,Total,1244,'));
  });
});

describe('renderIi06aXlsx', async () => {
  const buffer = await renderIi06aXlsx(report);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(arrayBufferOf(buffer));
  const ws = wb.worksheets[0];
  assert.ok(ws);

  it('is a zip (xlsx) with workbook properties', () => {
    assert.equal(buffer.subarray(0, 2).toString('latin1'), 'PK');
    assert.equal(wb.creator, 'Cầu Số');
    assert.equal(wb.created.toISOString(), report.generatedAt);
  });

  it('has the heading block, title and period', () => {
    assert.equal(ws.getCell('A1').value, 'UBND huyện Mường Tè');
    assert.equal(ws.getCell('K1').value, 'Biểu số II.06a/VPCP/KSTT');
    assert.equal(ws.getCell('A3').value, II06A_TITLE);
    assert.equal(ws.getCell('A3').font.bold, true);
    assert.equal(ws.getCell('A4').value, 'Kỳ báo cáo: từ ngày 01/01/2025 đến ngày 31/03/2025');
    assert.equal(ws.getCell('K5').value, 'Đơn vị tính: Số hồ sơ TTHC');
  });

  it('has the three-level merged header', () => {
    const merges = ws.model.merges;
    for (const range of ['A7:A9', 'B7:B9', 'C7:F7', 'G7:N7', 'C8:C9', 'D8:F8', 'G8:J8', 'K8:K9', 'L8:N8', 'A3:N3']) {
      assert.ok(merges.includes(range), `merge ${range} in ${merges.join(' ')}`);
    }
    assert.equal(ws.getCell('A9').isMerged, true);
    assert.equal(ws.getCell('A9').master.address, 'A7');
    assert.equal(ws.getCell('A7').value, 'STT');
    assert.equal(ws.getCell('B7').value, 'Lĩnh vực, công việc giải quyết theo cấp');
    assert.equal(ws.getCell('C7').value, 'Số hồ sơ nhận giải quyết');
    assert.equal(ws.getCell('G7').value, 'Kết quả giải quyết');
    assert.equal(ws.getCell('D8').value, 'Trong đó');
    assert.equal(ws.getCell('E9').value, 'Số mới tiếp nhận trực tiếp và qua dịch vụ bưu chính công ích');
    assert.equal(ws.getCell('K8').value, 'Số hồ sơ rút, dừng xử lý');
    assert.equal(ws.getCell('D9').isMerged, false);
    assert.equal(ws.getCell('C7').alignment.wrapText, true);
  });

  it('numbers the columns (1)…(14) in italics', () => {
    assert.equal(ws.getCell('A10').value, '(1)');
    assert.equal(ws.getCell('N10').value, '(14)');
    assert.equal(ws.getCell('C10').font.italic, true);
  });

  it('writes data rows with STT, names and #,##0 numbers', () => {
    assert.equal(ws.getCell('A11').value, 1);
    assert.equal(ws.getCell('B11').value, 'Hộ tịch');
    assert.equal(ws.getCell('C11').value, 1234);
    assert.equal(ws.getCell('C11').numFmt, '#,##0');
    assert.equal(ws.getCell('A12').value, 2);
    assert.equal(ws.getCell('B12').value, row2.name); // a string cell, never a formula
    assert.equal(ws.getCell('C11').border.top?.style, 'thin');
  });

  it('ends with a bold total row equal to the report total', () => {
    const totalRow = ws.getRow(13);
    assert.equal(totalRow.getCell(2).value, 'Tổng cộng');
    assert.equal(totalRow.getCell(2).font.bold, true);
    const fields = ['receivedTotal', 'receivedOnline', 'receivedDirect', 'carriedOver', 'resolvedTotal', 'resolvedBefore',
      'resolvedOn', 'resolvedLate', 'withdrawn', 'inProgressTotal', 'inProgressWithin', 'inProgressOverdue'] as const;
    fields.forEach((f, i) => assert.equal(totalRow.getCell(3 + i).value, total[f], f));
  });

  it('freezes panes below the header', () => {
    const view = ws.views[0];
    assert.equal(view?.state, 'frozen');
    assert.equal(view?.state === 'frozen' ? view.ySplit : undefined, 10);
  });

  it('uses "Đơn vị" as the name header when by unit', async () => {
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.load(arrayBufferOf(await renderIi06aXlsx({ ...report, by: 'unit', unit: null })));
    const ws2 = wb2.worksheets[0];
    assert.equal(ws2?.getCell('B7').value, 'Đơn vị');
    assert.equal(ws2?.getCell('A1').value, 'Toàn tỉnh');
  });

  it('lists the checks on the "Kiểm tra" sheet', () => {
    const checks = wb.getWorksheet('Kiểm tra');
    assert.ok(checks);
    const head = checks.getRow(1).values;
    assert.ok(Array.isArray(head));
    assert.deepEqual(head.slice(1), ['Quy tắc', 'Dòng', 'Kết quả', 'Chi tiết']);
    assert.equal(checks.getCell('A2').value, 'balance');
    assert.equal(checks.getCell('C2').value, 'Đạt');
    assert.equal(checks.getCell('C3').value, 'Không đạt');
    assert.equal(checks.getCell('D3').value, 'withdrawn: rows 5 ≠ total 6');
  });
});
