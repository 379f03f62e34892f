/** What each section of a data-subject export means, in Vietnamese and English (data.json `readme`, README.txt). */

export const LEGAL_BASIS = {
  vi: 'Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân: Điều 9 (quyền của chủ thể dữ liệu: được biết, truy cập, yêu cầu cung cấp dữ liệu) và Điều 14 (cung cấp dữ liệu cá nhân theo yêu cầu). Dữ liệu được xử lý để giải quyết thủ tục hành chính (Điều 17: hoạt động của cơ quan nhà nước theo luật chuyên ngành; Nghị định 61/2018/NĐ-CP, 107/2021/NĐ-CP về một cửa; Nghị định 45/2020/NĐ-CP về thủ tục hành chính trên môi trường điện tử).',
  en: 'Decree 13/2023/ND-CP on personal data protection: Article 9 (rights of the data subject: to know, to access, to have their data provided) and Article 14 (providing personal data on request). The data is processed to handle administrative procedures (Article 17: activities of state agencies under sector laws; Decrees 61/2018 and 107/2021 on the one-stop mechanism; Decree 45/2020 on electronic administrative procedures).',
};

export const SECTION_NOTES: Record<string, { vi: string; en: string }> = {
  account: { vi: 'Tài khoản dịch vụ công: họ tên, số định danh, ngày sinh, số điện thoại, kết quả kiểm tra chủ thuê bao. Không có mật khẩu.', en: 'Portal account: name, ID number, date of birth, phone, subscriber check result. No password is included.' },
  sessions: { vi: 'Các phiên đăng nhập còn lưu: thời điểm, địa chỉ IP, trình duyệt.', en: 'Sign-in sessions still held: times, IP address, browser.' },
  signUps: { vi: 'Các lần mở tài khoản: thời điểm và kết quả.', en: 'Account sign-ups: times and outcome.' },
  oneTimeCodes: { vi: 'Mã xác thực gửi qua SMS (chỉ thời điểm, không có mã) và số lần nhập sai.', en: 'One-time codes sent by SMS (times only, never the code) and failed attempts.' },
  staffAccounts: { vi: 'Tài khoản cán bộ hoặc thành viên tổ công nghệ số dùng số điện thoại này, và nhật ký đăng nhập.', en: 'Officer or community team accounts using this phone number, and their sign-in log.' },
  dossiers: { vi: 'Hồ sơ thủ tục hành chính có người này là người nộp: thông tin, các bước xử lý, ghi chú nội bộ, lệ phí, giấy tờ (thư mục files/dossiers).', en: 'Dossiers where this person is the applicant: details, processing steps, office notes, fees, papers (folder files/dossiers).' },
  drafts: { vi: 'Hồ sơ đang khai trên cổng chưa gửi hoặc đã gửi, với giấy tờ đã tải lên (thư mục files/drafts).', en: 'Applications filled in on the portal, sent or not, with papers uploaded (folder files/drafts).' },
  householdRegister: { vi: 'Sổ theo dõi hộ dân của tổ công nghệ số cộng đồng: thông tin cá nhân và hộ gia đình.', en: 'The community digital team household register: personal and household details.' },
  fieldVisits: { vi: 'Các lần tổ công nghệ số đến hỗ trợ, với ảnh chụp (thư mục files/field).', en: 'Visits by the community team, with photos (folder files/field).' },
  blockers: { vi: 'Vướng mắc khi dùng dịch vụ trực tuyến được ghi nhận và cách giải quyết.', en: 'Obstacles to using online services that were recorded, and how they were resolved.' },
  followUps: { vi: 'Việc cần làm tiếp của tổ công nghệ số liên quan đến người này.', en: 'Follow-up tasks of the community team about this person.' },
  assistedApplications: { vi: 'Hồ sơ nộp với sự hỗ trợ của tổ công nghệ số, và sự đồng ý của người dân.', en: 'Applications made with the community team’s help, and the resident’s consent.' },
  fieldSync: { vi: 'Các thay đổi điện thoại của tổ gửi về máy chủ về người này.', en: 'Changes about this person sent by the team’s phones to the server.' },
  messagesSent: { vi: 'Tin nhắn SMS và thư điện tử đã gửi cho người này.', en: 'SMS and e-mail messages sent to this person.' },
  messagesReceived: { vi: 'Tin nhắn SMS người này gửi đến tổng đài của tỉnh.', en: 'SMS this person sent to the province’s number.' },
  auditTrail: { vi: 'Nhật ký kiểm tra: ai đã xem hoặc thay đổi dữ liệu của người này và khi nào (không gồm danh tính cán bộ).', en: 'Audit trail: when this person’s data was read or changed (without naming the officers).' },
};

export function EXPORT_README(exportedAt: string): string {
  const lines = [
    'DỮ LIỆU CÁ NHÂN / PERSONAL DATA — Cầu Số',
    '',
    `Thời điểm xuất / Exported at: ${exportedAt}`,
    '',
    'Căn cứ pháp lý:',
    LEGAL_BASIS.vi,
    '',
    'Legal basis:',
    LEGAL_BASIS.en,
    '',
    'data.json: toàn bộ dữ liệu, theo từng mục dưới đây (thời gian theo ISO 8601, UTC). / all the data, by the sections below (times in ISO 8601, UTC).',
    'files/: giấy tờ và ảnh đã tải lên, nêu trong data.json. / papers and photos uploaded, named in data.json.',
    '',
  ];
  for (const [key, note] of Object.entries(SECTION_NOTES)) lines.push(`${key}`, `  vi: ${note.vi}`, `  en: ${note.en}`, '');
  lines.push(
    'Hồ sơ thủ tục hành chính được lưu trữ theo quy định về lưu trữ, không xóa theo yêu cầu. / Dossiers are kept under archival rules and are not erased on request.',
    'Thắc mắc hoặc yêu cầu sửa, xóa dữ liệu: liên hệ bộ phận một cửa. / Questions, corrections or erasure requests: contact the one-stop office.',
    '',
  );
  return lines.join('\r\n');
}
