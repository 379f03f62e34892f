/**
 * Problem messages by stable code, in every catalogue language. Tests assert on codes, never
 * on text; a new language is a new column here, not new code. Each message says what to do.
 */
export const LANGUAGES = ['vi', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export type Message = Record<Language, string>;

export const PROBLEMS = {
  'request.invalid': {
    vi: 'Dữ liệu gửi lên chưa hợp lệ. Hãy sửa các mục được nêu rồi gửi lại.',
    en: 'The request is not valid. Correct the fields listed and send it again.',
  },
  'request.not_found': {
    vi: 'Không tìm thấy trang hoặc địa chỉ này. Hãy kiểm tra lại đường dẫn.',
    en: 'This address does not exist. Check the link.',
  },
  'auth.required': {
    vi: 'Bạn cần đăng nhập để làm việc này. Hãy đăng nhập rồi thử lại.',
    en: 'You need to sign in to do this. Sign in and try again.',
  },
  'auth.bad_credentials': {
    vi: 'Tên đăng nhập hoặc mật khẩu không đúng. Hãy kiểm tra và thử lại.',
    en: 'The username or password is wrong. Check them and try again.',
  },
  'auth.locked': {
    vi: 'Tài khoản tạm khóa vì nhập sai nhiều lần. Hãy thử lại sau 15 phút hoặc liên hệ quản trị viên.',
    en: 'The account is locked after too many failed attempts. Try again in 15 minutes or ask an administrator.',
  },
  'auth.forbidden': {
    vi: 'Bạn không có quyền với đơn vị hoặc việc này. Hãy liên hệ quản trị viên nếu cần được cấp quyền.',
    en: 'You have no permission for this unit or action. Ask an administrator if you need it.',
  },
  'auth.csrf': {
    vi: 'Phiên làm việc đã hết hạn hoặc yêu cầu không đến từ trang của hệ thống. Hãy tải lại trang và thử lại.',
    en: 'The form expired or did not come from this site. Reload the page and try again.',
  },
  'rate.limited': {
    vi: 'Bạn đã thử quá nhiều lần. Hãy đợi một lát rồi thử lại.',
    en: 'Too many attempts. Wait a little and try again.',
  },
  'unit.not_found': {
    vi: 'Không có đơn vị hành chính với mã này. Hãy kiểm tra lại mã đơn vị.',
    en: 'No administrative unit has this code. Check the unit code.',
  },
  'procedure.not_found': {
    vi: 'Không có thủ tục với mã này. Hãy tra cứu lại danh mục thủ tục.',
    en: 'No procedure has this code. Look it up again in the catalogue.',
  },
  'dossier.not_found': {
    vi: 'Không tìm thấy hồ sơ với mã này. Hãy kiểm tra lại mã hồ sơ.',
    en: 'No dossier has this code. Check the dossier code.',
  },
  'dossier.action_not_allowed': {
    vi: 'Hồ sơ đang ở trạng thái không cho phép thao tác này. Hãy tải lại hồ sơ để xem các thao tác được phép.',
    en: 'The dossier is in a status that does not allow this action. Reload it to see the allowed actions.',
  },
  'dossier.role_not_allowed': {
    vi: 'Vai trò của bạn không được làm thao tác này. Hãy chuyển cho cán bộ có thẩm quyền.',
    en: 'Your role may not take this action. Pass it to an officer who may.',
  },
  'dossier.transaction_reused': {
    vi: 'Mã giao dịch này đã được dùng cho một thao tác khác. Hãy tạo mã giao dịch mới.',
    en: 'This transaction id was already used for a different action. Generate a new one.',
  },
  'dossier.unit_not_receiving': {
    vi: 'Đơn vị này không tiếp nhận hồ sơ vào ngày đó (đơn vị đã giải thể hoặc chưa thành lập). Hãy chọn đơn vị đang hoạt động.',
    en: 'This unit did not receive dossiers on that date (it was dissolved or did not exist yet). Choose a unit in force.',
  },
  'dossier.missing_field': {
    vi: 'Thao tác này cần thêm thông tin. Hãy điền các mục được nêu.',
    en: 'This action needs more information. Fill in the fields listed.',
  },
  'import.bad_file': {
    vi: 'Tệp nhập chưa đúng định dạng. Không có dòng nào được lưu. Hãy sửa các dòng được nêu rồi nhập lại cả tệp.',
    en: 'The import file has errors. Nothing was stored. Correct the lines listed and import the whole file again.',
  },
  'import.empty': {
    vi: 'Tệp nhập không có hồ sơ nào. Hãy kiểm tra đã chọn đúng tệp, có dòng tiêu đề và các dòng hồ sơ.',
    en: 'The import file holds no dossiers. Check that it is the right file, with the header and the dossier lines.',
  },
  'report.bad_period': {
    vi: 'Kỳ báo cáo chưa hợp lệ. Hãy chọn ngày bắt đầu không sau ngày kết thúc, theo dạng NNNN-TT-NN.',
    en: 'The report period is not valid. Use YYYY-MM-DD dates with the start not after the end.',
  },
  'calendar.bad_office_hours': {
    vi: 'Giờ làm việc chưa hợp lệ. Hãy nhập theo dạng 07:30-11:30,13:30-17:00.',
    en: 'The office hours are not valid. Use the form 07:30-11:30,13:30-17:00.',
  },
  'upload.empty': {
    vi: 'Tệp gửi lên trống. Hãy chọn lại ảnh hoặc tệp PDF.',
    en: 'The file is empty. Choose the photo or PDF again.',
  },
  'upload.too_large': {
    vi: 'Tệp quá lớn. Hãy chụp lại ảnh với chất lượng thấp hơn hoặc gửi tệp PDF nhỏ hơn.',
    en: 'The file is too large. Take the photo again at a lower quality or send a smaller PDF.',
  },
  'upload.bad_type': {
    vi: 'Chỉ nhận ảnh (JPG, PNG, WEBP) hoặc tệp PDF. Hãy chụp ảnh giấy tờ rồi gửi lại.',
    en: 'Only photos (JPG, PNG, WEBP) or PDF files are accepted. Take a photo of the paper and send it again.',
  },
  'upload.unreadable': {
    vi: 'Không đọc được ảnh này (có thể tệp bị hỏng). Hãy chụp lại rồi gửi lại.',
    en: 'This photo cannot be read (the file may be damaged). Take it again and resend.',
  },
  'dossier.not_found_for_citizen': {
    vi: 'Không tìm thấy hồ sơ này trong tài khoản của bạn. Hãy kiểm tra mã hồ sơ.',
    en: 'This dossier is not in your account. Check the dossier code.',
  },
  'form.not_applicable': {
    vi: 'Không in được phiếu này vì hồ sơ đang ở trạng thái khác. Hãy mở hồ sơ để xem các phiếu in được.',
    en: 'This form cannot be printed for the dossier in its current status. Open the dossier to see which forms apply.',
  },
  'auth.totp_required': {
    vi: 'Tài khoản này cần thêm mã xác thực 6 số từ ứng dụng trên điện thoại. Hãy nhập mã đó cùng mật khẩu.',
    en: 'This account also needs the 6-digit code from the authenticator app. Send it with the password.',
  },
  'auth.totp_wrong': {
    vi: 'Mã xác thực không đúng hoặc đã hết hạn. Hãy mở ứng dụng xác thực và nhập mã đang hiện.',
    en: 'The code is wrong or has expired. Open the authenticator app and enter the code it shows now.',
  },
  'auth.totp_setup_missing': {
    vi: 'Chưa bắt đầu cài xác thực hai bước. Hãy mở lại trang cài đặt và quét mã QR.',
    en: 'Two-step sign-in setup has not started. Open the setup page again and scan the QR code.',
  },
  'auth.sign_in_expired': {
    vi: 'Bước đăng nhập đã quá 5 phút. Hãy nhập lại tên đăng nhập và mật khẩu.',
    en: 'The sign-in step took more than 5 minutes. Enter your username and password again.',
  },
  'dossier.assignee_invalid': {
    vi: 'Người này không phải chuyên viên xử lý hồ sơ của đơn vị. Hãy chọn một người trong danh sách.',
    en: 'This person is not a specialist for the dossier’s unit. Choose someone from the list.',
  },
  'draft.not_found': {
    vi: 'Không tìm thấy hồ sơ đang làm này trong tài khoản của bạn. Hãy mở mục Nộp hồ sơ để xem các hồ sơ bạn đang làm.',
    en: 'This application is not in your account. Open Apply to see the applications you are working on.',
  },
  'draft.submitted': {
    vi: 'Hồ sơ này đã được gửi đi nên không sửa được nữa. Hãy xem hồ sơ trong mục Hồ sơ của tôi.',
    en: 'This application has already been sent and cannot be changed. See it under My dossiers.',
  },
  'draft.incomplete': {
    vi: 'Hồ sơ còn thiếu câu trả lời bắt buộc. Hãy trả lời các câu còn thiếu rồi gửi lại.',
    en: 'Some required answers are missing. Answer them and send the application again.',
  },
  'draft.too_many': {
    vi: 'Bạn đang có quá nhiều hồ sơ làm dở. Hãy gửi hoặc xóa bớt hồ sơ làm dở trước khi bắt đầu hồ sơ mới.',
    en: 'You have too many unfinished applications. Send or delete some before starting a new one.',
  },
  'upload.too_many': {
    vi: 'Câu hỏi này đã có đủ số tệp tối đa. Hãy xóa bớt một tệp rồi tải lên lại.',
    en: 'This question already has the most files allowed. Remove one and upload again.',
  },
  'upload.photo_only': {
    vi: 'Câu hỏi này chỉ nhận ảnh chụp (JPG, PNG). Hãy chụp ảnh giấy tờ rồi gửi lại.',
    en: 'This question takes photos only (JPG, PNG). Take a photo of the paper and send it again.',
  },
  'payment.not_due': {
    vi: 'Hồ sơ này hiện không có phí cần nộp. Hãy mở lại hồ sơ để xem việc cần làm.',
    en: 'There is no fee to pay for this dossier now. Open the dossier again to see what to do.',
  },
  'payment.counter_only': {
    vi: 'Phí của thủ tục này chưa nộp trực tuyến được. Hãy nộp phí tại bộ phận một cửa và giữ biên lai.',
    en: 'The fee for this procedure cannot be paid online yet. Pay it at the one-stop counter and keep the receipt.',
  },
  'payment.gateway_unavailable': {
    vi: 'Cổng thanh toán chưa trả lời. Tiền của bạn chưa bị trừ thêm. Hãy thử lại sau ít phút.',
    en: 'The payment gateway did not answer. You have not been charged again. Try again in a few minutes.',
  },
  'payment.bad_request': {
    vi: 'Yêu cầu thanh toán không hợp lệ hoặc đã bị sửa. Hãy quay lại hồ sơ và bấm nộp phí lại.',
    en: 'The payment request is not valid or was altered. Go back to the dossier and start the payment again.',
  },
  'notify.bad_signature': {
    vi: 'Chữ ký của lời gọi lại không đúng hoặc đã quá hạn. Hãy kiểm tra khóa chung SMS_HTTP_CALLBACK_SECRET và giờ của máy chủ gửi.',
    en: 'The callback signature is wrong or too old. Check the shared key SMS_HTTP_CALLBACK_SECRET and the sending server’s clock.',
  },
  'track.not_found': {
    vi: 'Không tìm thấy hồ sơ với mã và 4 số cuối điện thoại này. Hãy kiểm tra lại cả hai rồi thử lại.',
    en: 'No dossier matches this code and these last 4 digits. Check both and try again.',
  },
  'field.not_member': {
    vi: 'Tài khoản này chưa thuộc tổ công nghệ số cộng đồng nào. Hãy nhờ quản trị viên thêm bạn vào tổ của thôn, ấp.',
    en: 'This account is not a member of any community digital technology team. Ask an administrator to add you to your village team.',
  },
  'device.wiped': {
    vi: 'Máy này đã được báo mất. Dữ liệu trên máy đã được xóa. Hãy đăng nhập lại trên máy mới hoặc liên hệ quản trị viên.',
    en: 'This phone was reported lost, so its data has been erased. Sign in again on a new phone or contact an administrator.',
  },
  'device.unknown': {
    vi: 'Máy này chưa đăng nhập với tài khoản của bạn. Hãy đăng nhập lại khi có mạng.',
    en: 'This phone is not signed in with your account. Sign in again when you are online.',
  },
  'sync.invalid': {
    vi: 'Bản ghi chưa hợp lệ. Hãy mở bản ghi, sửa các mục được nêu rồi lưu lại.',
    en: 'This record is not valid. Open it, correct the fields listed and save it again.',
  },
  'sync.hash_mismatch': {
    vi: 'Bản ghi bị hỏng trên đường truyền. Máy sẽ tự gửi lại; nếu vẫn lỗi, hãy lưu lại bản ghi.',
    en: 'The record was damaged on the way. The phone will send it again; if it keeps failing, save the record again.',
  },
  'sync.id_reused': {
    vi: 'Mã bản ghi đã được dùng cho nội dung khác. Bản ghi không được áp dụng; hãy lưu lại thành bản ghi mới.',
    en: 'This record id was already used for different content. Nothing was applied; save it again as a new record.',
  },
  'sync.not_in_team': {
    vi: 'Bản ghi thuộc thôn, ấp ngoài tổ của bạn. Hãy chọn đúng thôn, ấp của tổ.',
    en: 'This record belongs to a village outside your team. Choose a village of your team.',
  },
  'sync.not_found': {
    vi: 'Không tìm thấy hộ, người dân hoặc vướng mắc mà bản ghi nhắc tới. Hãy đồng bộ để tải dữ liệu mới rồi kiểm tra lại.',
    en: 'The household, resident or blocker this record refers to was not found. Sync to get the latest data, then check again.',
  },
  'sync.file_missing': {
    vi: 'Ảnh kèm theo chưa được tải lên. Máy sẽ tự gửi lại ảnh rồi gửi bản ghi.',
    en: 'The attached photo has not arrived yet. The phone will send the photo and then the record again.',
  },
  'sync.file_invalid': {
    vi: 'Ảnh không hợp lệ hoặc quá lớn. Hãy chụp lại ảnh.',
    en: 'The photo is not valid or too large. Take the photo again.',
  },
  'sync.application_invalid': {
    vi: 'Hồ sơ hỗ trợ nộp còn thiếu hoặc sai thông tin. Hãy mở hồ sơ, sửa các câu được nêu rồi lưu lại.',
    en: 'The assisted application has missing or wrong answers. Open it, correct the questions listed and save it again.',
  },
  'sync.cursor_invalid': {
    vi: 'Vị trí đồng bộ không hợp lệ. Máy sẽ tải lại toàn bộ dữ liệu của tổ.',
    en: 'The sync position is not valid. The phone will download the team data again from the start.',
  },
  'sync.busy': {
    vi: 'Máy chủ đang bận. Máy sẽ tự gửi lại sau ít phút; dữ liệu vẫn còn trên máy.',
    en: 'The server is busy. The phone will try again in a few minutes; the data stays on the phone.',
  },
  'campaign.not_found': {
    vi: 'Không tìm thấy chiến dịch này, hoặc chiến dịch không liên quan đến đơn vị đang xem. Hãy chọn lại chiến dịch trong danh sách.',
    en: 'This campaign was not found, or it does not concern the unit you are viewing. Pick a campaign from the list.',
  },
  'campaign.bad_period': {
    vi: 'Thời gian chưa hợp lệ. Hãy nhập ngày bắt đầu không sau ngày kết thúc, theo dạng NNNN-TT-NN, trong vòng 2 năm.',
    en: 'The dates are not valid. Use YYYY-MM-DD dates, the start not after the end, at most 2 years apart.',
  },
  'campaign.bad_input': {
    vi: 'Thông tin chiến dịch chưa hợp lệ. Hãy sửa các ô được đánh dấu rồi gửi lại.',
    en: 'The campaign details are not valid. Correct the marked fields and send again.',
  },
  'campaign.bad_target': {
    vi: 'Chỉ tiêu chưa hợp lệ: tỉ lệ từ 0 đến 100, số lượng là số nguyên không âm, và đơn vị phải nằm trong phạm vi chiến dịch. Hãy sửa rồi gửi lại.',
    en: 'A target is not valid: percentages from 0 to 100, counts whole and not negative, and the unit inside the campaign. Correct it and send again.',
  },
  'campaign.import_bad_file': {
    vi: 'Tệp chỉ tiêu không đọc được. Hãy tải mẫu XLSX của chiến dịch, điền vào đó rồi tải lên lại.',
    en: 'The targets file cannot be read. Download the campaign’s XLSX template, fill it in and upload it again.',
  },
  'campaign.import_bad_rows': {
    vi: 'Tệp chỉ tiêu có dòng chưa hợp lệ (xem danh sách lỗi theo số dòng). Chưa có chỉ tiêu nào được lưu. Hãy sửa tệp rồi tải lên lại.',
    en: 'Some rows of the targets file are not valid (see the errors by row number). No target was saved. Correct the file and upload it again.',
  },
  'campaign.stale': {
    vi: 'Chiến dịch vừa được người khác sửa. Hãy tải lại trang để xem bản mới rồi làm lại.',
    en: 'Someone else has just changed this campaign. Reload the page to see the latest version and try again.',
  },
  'people.export.bad_cccd': {
    vi: 'Số định danh cá nhân chưa đúng. Hãy nhập đủ 12 chữ số như trên thẻ căn cước.',
    en: 'The ID number is not valid. Enter all 12 digits as printed on the ID card.',
  },
  'people.export.bad_phone': {
    vi: 'Số điện thoại chưa đúng. Hãy nhập 10 chữ số, ví dụ 0912345678.',
    en: 'The phone number is not valid. Enter 10 digits, for example 0912345678.',
  },
  'people.export.subject_required': {
    vi: 'Hãy nhập số định danh cá nhân hoặc số điện thoại của người cần xuất dữ liệu.',
    en: 'Enter the ID number or the phone number of the person whose data to export.',
  },
  'server.error': {
    vi: 'Hệ thống gặp lỗi. Dữ liệu của bạn chưa bị thay đổi. Hãy thử lại sau ít phút.',
    en: 'Something went wrong on our side. Nothing was changed. Try again in a few minutes.',
  },
  'server.unavailable': {
    vi: 'Hệ thống tạm thời không kết nối được cơ sở dữ liệu. Hãy thử lại sau ít phút.',
    en: 'The service cannot reach its database right now. Try again in a few minutes.',
  },
} as const satisfies Record<string, Message>;

export type ProblemCode = keyof typeof PROBLEMS;

export function problemMessage(code: ProblemCode): Message {
  return PROBLEMS[code];
}
