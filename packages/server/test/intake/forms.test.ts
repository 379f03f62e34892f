import { it } from 'node:test';
import assert from 'node:assert/strict';
import QRCode from 'qrcode';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { txid } from '../support/fixtures.ts';
import { makeCitizen } from '../support/citizens.ts';
import { receiveAtCounter } from '../../src/modules/dossiers/counterIntake.ts';
import { actOnDossier } from '../../src/modules/dossiers/service.ts';
import { submitOnline } from '../../src/modules/dossiers/citizenDossiers.ts';
import { vnDate, vnTimeAndDate } from '../../src/modules/dossiers/forms/layout.ts';
import { isLate, printableForms } from '../../src/modules/dossiers/forms/rules.ts';
import { QR_OPTIONS } from '../../src/modules/dossiers/forms/mau01.ts';
import { deskOfficer, embeddedFonts, pdfText, type DeskOfficer } from './helpers.ts';

it('writes dates the way administrative documents do (a leading zero for days below 10 and for January and February)', () => {
  assert.equal(vnDate(new Date('2026-01-05T10:00:00+07:00')), 'ngày 05 tháng 01 năm 2026');
  assert.equal(vnDate(new Date('2026-03-09T10:00:00+07:00')), 'ngày 09 tháng 3 năm 2026');
  assert.equal(vnDate(new Date('2026-11-25T23:30:00+07:00')), 'ngày 25 tháng 11 năm 2026');
  // 18:00 UTC is already the next morning in Vietnam.
  assert.equal(vnTimeAndDate(new Date('2026-12-31T18:05:00Z')), '01 giờ 05 phút, ngày 01 tháng 01 năm 2027');
});

it('calls a dossier late only while it is open and past due, and not when its clock stopped in time', () => {
  const due = new Date('2026-11-26T09:00:00+07:00');
  const after = new Date('2026-11-27T09:00:00+07:00');
  assert.equal(isLate({ status: 4, dueAt: due, pausedAt: null }, after), true);
  assert.equal(isLate({ status: 4, dueAt: due, pausedAt: null }, new Date('2026-11-26T08:00:00+07:00')), false);
  assert.equal(isLate({ status: 5, dueAt: due, pausedAt: new Date('2026-11-25T15:00:00+07:00') }, after), false);
  assert.equal(isLate({ status: 9, dueAt: due, pausedAt: null }, after), false);
  assert.deepEqual(printableForms({ status: 2, dueAt: due, pausedAt: null }, after), ['01', '04']);
  assert.deepEqual(printableForms({ status: 3, dueAt: null, pausedAt: null }, after), ['03']);
  assert.deepEqual(printableForms({ status: 1, dueAt: null, pausedAt: null }, after), []);
});

/** The first image on page 1, as pdfjs decodes it: width, height and pixels. */
async function firstImage(bytes: Uint8Array): Promise<{ width: number; height: number; data: Uint8ClampedArray }> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const pdf = await pdfjs.getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, disableFontFace: true, verbosity: 0 }).promise;
  const page = await pdf.getPage(1);
  const ops = await page.getOperatorList();
  const i = ops.fnArray.indexOf(pdfjs.OPS.paintImageXObject);
  assert.ok(i >= 0, 'the receipt has an image (the QR code)');
  const id = ops.argsArray[i][0] as string;
  const img = await new Promise<{ width: number; height: number; data: Uint8ClampedArray }>((resolve) => page.objs.get(id, resolve));
  await pdf.destroy();
  return img;
}

/** Reads the QR code's modules from the picture and compares them with the code's own QR matrix. */
function qrMatches(img: { width: number; height: number; data: Uint8ClampedArray }, text: string): boolean {
  const qr = QRCode.create(text, { errorCorrectionLevel: QR_OPTIONS.errorCorrectionLevel });
  const size = qr.modules.size;
  const { margin, scale } = QR_OPTIONS;
  if (img.width !== (size + 2 * margin) * scale) return false;
  const channels = img.data.length / (img.width * img.height);
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++) {
      const x = (c + margin) * scale + scale / 2;
      const y = (r + margin) * scale + scale / 2;
      const dark = (img.data[(y * img.width + x) * channels] as number) < 128;
      if (dark !== Boolean(qr.modules.get(r, c))) return false;
    }
  return true;
}

describeEachEngine('printed one-stop forms', (env) => {
  let web: WebServer;
  let desk: DeskOfficer;
  let code: string;

  const get = (path: string, who: DeskOfficer = desk) => fetch(`${web.baseUrl}${path}`, { headers: { cookie: who.cookie }, redirect: 'manual' });
  const pdf = async (path: string, who: DeskOfficer = desk) => {
    const res = await get(path, who);
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.match(res.headers.get('content-disposition') ?? '', /^inline; filename="mau-0\d-/);
    return new Uint8Array(await res.arrayBuffer());
  };
  const intake = (fullName: string) =>
    receiveAtCounter(web.ctx, desk, {
      transactionId: txid(),
      unitCode: '25309',
      procedureCode: '1.001193',
      applicant: { fullName, phone: '0912345678', address: 'Ấp 3, xã Hưng Phước' },
      answers: { childFullName: 'Điểu Văn Nam' },
      papersReceived: ['Tờ khai đăng ký khai sinh', 'Giấy chứng sinh do bệnh viện hoặc trạm y tế cấp'],
      resultDelivery: 'desk',
      scans: [],
    });
  const printsOf = (entityId: string) =>
    env.db.kysely.selectFrom('audit_log').select(['action', 'detail', 'actor_id']).where('entity_id', '=', entityId).where('action', '=', 'dossier.print').execute();

  it('starts', async () => {
    web = await startWebServer(env.db);
    desk = await deskOfficer(web.ctx, [{ role: 'officer', unitCode: '25309' }], 'Nguyễn Văn Bình');
    code = (await intake('Điểu Thị Hoa')).code;
  });

  it('prints the receipt and appointment slip (Mẫu 01) in Vietnamese, with the code, the papers and the due date', async () => {
    const bytes = await pdf(`/office/dossiers/${code}/forms/01.pdf`);
    const text = await pdfText(bytes);
    for (const expected of [
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      'ỦY BAN NHÂN DÂN XÃ HƯNG PHƯỚC',
      'Hưng Phước, ngày 25 tháng 11 năm 2026',
      'GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ',
      `Mã hồ sơ: ${code}`,
      'Điểu Thị Hoa',
      'Đăng ký khai sinh',
      'Giấy chứng sinh do bệnh viện hoặc trạm y tế cấp',
      '1 ngày làm việc',
      'Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 25 tháng 11 năm 2026',
      'Thời gian trả kết quả giải quyết hồ sơ: 09 giờ 00 phút, ngày 26 tháng 11 năm 2026',
      'Trung tâm Phục vụ hành chính công xã Hưng Phước',
      'NGƯỜI TIẾP NHẬN HỒ SƠ',
      'Nguyễn Văn Bình',
    ])
      assert.ok(text.includes(expected), `missing "${expected}" in: ${text}`);
  });

  it('embeds DejaVu Sans and no standard font, so the Vietnamese letters print everywhere', async () => {
    const fonts = embeddedFonts(await pdf(`/office/dossiers/${code}/forms/01.pdf`));
    assert.ok(fonts.length > 0);
    assert.ok(fonts.every((f) => /^[A-Z]{6}\+DejaVuSans(-Bold)?$/.test(f)), fonts.join(', '));
    assert.ok(fonts.some((f) => f.endsWith('DejaVuSans-Bold')) && fonts.some((f) => f.endsWith('+DejaVuSans')));
    assert.doesNotMatch(Buffer.from(await pdf(`/office/dossiers/${code}/forms/01.pdf`)).toString('latin1'), /Helvetica|Times-Roman|Courier/);
  });

  it('carries a QR code that holds the dossier code', async () => {
    const img = await firstImage(await pdf(`/office/dossiers/${code}/forms/01.pdf`));
    assert.equal(qrMatches(img, code), true);
    assert.equal(qrMatches(img, `${code.slice(0, -1)}9`), false, 'the check tells codes apart');
  });

  it('audits every print, with the form number', async () => {
    const prints = await printsOf(code);
    assert.ok(prints.length >= 3);
    assert.ok(prints.every((p) => p.actor_id === desk.officer.id && (p.detail as { form?: string }).form === '01'));
  });

  it('refuses a form that does not fit the dossier, with a page saying what to do', async () => {
    for (const form of ['02.pdf', '03.pdf', '04.pdf', '04']) {
      const res = await get(`/office/dossiers/${code}/forms/${form}`);
      assert.equal(res.status, 409, form);
      assert.match(await res.text(), /Không in được phiếu này vì hồ sơ đang ở trạng thái khác/);
    }
  });

  it('prints the supplement request (Mẫu 02) with the missing papers and the reason', async () => {
    const d = await intake('Lò Văn Tư');
    await actOnDossier(web.ctx, desk, d.code, {
      action: 'request_supplement',
      transactionId: txid(),
      missingDocuments: ['Giấy chứng sinh bản chính', 'Giấy chứng nhận kết hôn của cha mẹ'],
      reason: 'Giấy chứng sinh nộp là bản chụp, không đọc rõ chữ.',
    });
    const text = await pdfText(await pdf(`/office/dossiers/${d.code}/forms/02.pdf`));
    for (const expected of ['PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ', 'Lò Văn Tư', '1. Giấy chứng sinh bản chính', '2. Giấy chứng nhận kết hôn của cha mẹ', 'Lý do: Giấy chứng sinh nộp là bản chụp, không đọc rõ chữ.', 'NGƯỜI HƯỚNG DẪN'])
      assert.ok(text.includes(expected), `missing "${expected}" in: ${text}`);
    assert.equal((await get(`/office/dossiers/${d.code}/forms/01.pdf`)).status, 200, 'the receipt can still be reprinted');
  });

  it('prints the refusal (Mẫu 03) of an online dossier with its reason', async () => {
    const citizen = await makeCitizen(web.ctx, { fullName: 'Thị Mỹ Duyên' });
    const online = await submitOnline(web.ctx, { citizenId: citizen.id, ip: null }, {
      transactionId: txid(),
      procedureCode: '1.001193',
      unitCode: '25309',
      applicant: { fullName: 'Thị Mỹ Duyên' },
      formData: {},
    });
    assert.equal((await get(`/office/dossiers/${online.code}/forms/01.pdf`)).status, 409, 'not received: no receipt');
    await actOnDossier(web.ctx, desk, online.code, { action: 'refuse', transactionId: txid(), reason: 'Hồ sơ phải nộp tại xã nơi trẻ cư trú.' });
    const text = await pdfText(await pdf(`/office/dossiers/${online.code}/forms/03.pdf`));
    for (const expected of ['PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ', 'Thị Mỹ Duyên', 'trực tuyến', 'Hồ sơ phải nộp tại xã nơi trẻ cư trú.', 'Xin thông báo cho Ông/Bà được biết và thực hiện./.'])
      assert.ok(text.includes(expected), `missing "${expected}" in: ${text}`);
  });

  it('asks for the new date and the reason, then prints the apology (Mẫu 04) for a late dossier and records the promise', async () => {
    const now = web.ctx.now().toISOString();
    web.ctx.clock.set('2026-11-20T09:00:00+07:00'); // received last Friday, due Monday
    const late = await intake('Hoàng Văn Sáu');
    web.ctx.clock.set(now);

    const bare = await get(`/office/dossiers/${late.code}/forms/04.pdf`);
    assert.equal(bare.status, 303, 'a plain link asks for the date first');
    assert.equal(bare.headers.get('location'), `/office/dossiers/${late.code}/forms/04`);
    const form = await (await get(`/office/dossiers/${late.code}/forms/04`)).text();
    assert.match(form, /name="newDate" type="date" value="2026-11-26"/, 'suggests the full processing time again from today');
    assert.match(form, new RegExp(`action="/office/dossiers/${late.code}/forms/04.pdf"`));

    const wrong = await get(`/office/dossiers/${late.code}/forms/04.pdf?newDate=2026-11-25&reason=`);
    assert.equal(wrong.status, 400);
    const wrongPage = await wrong.text();
    assert.match(wrongPage, /Ngày hẹn mới phải sau hôm nay/);
    assert.match(wrongPage, /Hãy ghi lý do chậm trả kết quả/);

    const reason = 'Cần xác minh thêm thông tin với bệnh viện nơi trẻ sinh ra.';
    const text = await pdfText(await pdf(`/office/dossiers/${late.code}/forms/04.pdf?newDate=2026-12-02&reason=${encodeURIComponent(reason)}`));
    for (const expected of [
      'PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ',
      'Kính gửi: Ông/Bà Hoàng Văn Sáu',
      'Ngày 20 tháng 11 năm 2026, Ủy ban nhân dân xã Hưng Phước tiếp nhận giải quyết hồ sơ',
      `Lý do: ${reason}`,
      'vào ngày 02 tháng 12 năm 2026',
      'THỦ TRƯỞNG CƠ QUAN',
    ])
      assert.ok(text.includes(expected), `missing "${expected}" in: ${text}`);
    const prints = await printsOf(late.code);
    assert.deepEqual(prints.map((p) => p.detail), [{ form: '04', newDate: '2026-12-02', reason }]);
  });

  it('lets anyone with a role on the unit print, and nobody else', async () => {
    const specialist = await deskOfficer(web.ctx, [{ role: 'specialist', unitCode: '25309' }]);
    await pdf(`/office/dossiers/${code}/forms/01.pdf`, specialist);
    const provinceLeader = await deskOfficer(web.ctx, [{ role: 'leader', unitCode: '75' }]);
    await pdf(`/office/dossiers/${code}/forms/01.pdf`, provinceLeader);
    const other = await deskOfficer(web.ctx, [{ role: 'officer', unitCode: '25308' }]);
    const before = (await printsOf(code)).length;
    const res = await get(`/office/dossiers/${code}/forms/01.pdf`, other);
    assert.equal(res.status, 403);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.equal((await printsOf(code)).length, before, 'a refused print is not a print');
    assert.equal((await fetch(`${web.baseUrl}/office/dossiers/${code}/forms/01.pdf`, { redirect: 'manual' })).status, 303, 'signed out: to the sign-in page');
    assert.equal((await get('/office/dossiers/H75.25309-261125-9999/forms/01.pdf')).status, 404);
  });

  it('stops', async () => {
    await web.close();
  });
});
