/**
 * Step cards: one-page guides with large numbered steps that residents keep and follow on their
 * own ("ghi chép và tự thao tác"). Plain data, so the field app shows them offline and the
 * server can print the same text for the office.
 */
export interface StepCard {
  slug: string;
  titleVi: string;
  titleEn: string;
  stepsVi: string[];
  stepsEn: string[];
}

export const STEP_CARDS: readonly StepCard[] = [
  {
    slug: 'check-sim-1414',
    titleVi: 'Kiểm tra số điện thoại có đứng tên chính chủ không',
    titleEn: 'Check that your phone number is in your own name',
    stepsVi: [
      'Mở ứng dụng Tin nhắn trên điện thoại.',
      'Soạn tin: TTTB (viết liền, chữ in hoa).',
      'Gửi tới số 1414. Tin nhắn này miễn phí.',
      'Đợi tin trả lời: xem họ tên, ngày sinh và số căn cước có đúng là của bạn không.',
      'Nếu sai hoặc không phải tên bạn: mang CCCD ra cửa hàng của nhà mạng để cập nhật thông tin chính chủ.',
    ],
    stepsEn: [
      'Open the Messages app on your phone.',
      'Type the message: TTTB (capital letters, no spaces).',
      'Send it to 1414. The message is free.',
      'Wait for the answer: check that the name, date of birth and ID number are yours.',
      'If they are wrong or not yours: take your CCCD card to a shop of your mobile network to put the number in your name.',
    ],
  },
  {
    slug: 'install-vneid',
    titleVi: 'Cài đặt và kích hoạt VNeID',
    titleEn: 'Install and activate VNeID',
    stepsVi: [
      'Mở CH Play (Android) hoặc App Store (iPhone), tìm “VNeID” của Bộ Công an và bấm Cài đặt.',
      'Mở VNeID, chọn “Kích hoạt tài khoản định danh điện tử”.',
      'Nhập số CCCD 12 số và số điện thoại đứng tên bạn.',
      'Nhập mã OTP gửi về điện thoại, rồi đặt mật khẩu và mã bảo vệ 6 số.',
      'Quét khuôn mặt theo hướng dẫn trên màn hình (mức 2 cần làm tại công an xã).',
      'Ghi mật khẩu vào chỗ kín, không cho ai biết mã OTP.',
    ],
    stepsEn: [
      'Open Play Store (Android) or App Store (iPhone), search for “VNeID” by the Ministry of Public Security and install it.',
      'Open VNeID and choose “Activate electronic identity account”.',
      'Enter your 12-digit CCCD number and the phone number in your name.',
      'Enter the OTP code sent to your phone, then choose a password and a 6-digit passcode.',
      'Scan your face as the screen shows (level 2 is done at the commune police).',
      'Keep the password somewhere private; never tell anyone an OTP code.',
    ],
  },
  {
    slug: 'public-service-account',
    titleVi: 'Đăng ký tài khoản dịch vụ công',
    titleEn: 'Register a public-service account',
    stepsVi: [
      'Mở trang dịch vụ công của tỉnh trên điện thoại hoặc máy tính.',
      'Bấm “Đăng ký”, chọn đăng ký bằng tài khoản VNeID hoặc số CCCD.',
      'Nhập số điện thoại đứng tên bạn; hệ thống kiểm tra thuê bao chính chủ.',
      'Nhập mã OTP gửi về điện thoại.',
      'Đặt mật khẩu và ghi lại tên đăng nhập.',
    ],
    stepsEn: [
      'Open the province’s public-service site on a phone or computer.',
      'Choose “Register”, then register with your VNeID account or CCCD number.',
      'Enter the phone number in your name; the system checks that it is yours.',
      'Enter the OTP code sent to your phone.',
      'Choose a password and write down your username.',
    ],
  },
  {
    slug: 'submit-application',
    titleVi: 'Nộp hồ sơ trực tuyến',
    titleEn: 'Submit an application online',
    stepsVi: [
      'Đăng nhập trang dịch vụ công.',
      'Tìm thủ tục cần làm (ví dụ: đăng ký khai sinh) và bấm “Nộp hồ sơ”.',
      'Trả lời từng câu hỏi, mỗi trang một câu.',
      'Chụp ảnh giấy tờ được yêu cầu và tải lên.',
      'Xem lại thông tin, bấm “Gửi hồ sơ” và ghi lại mã hồ sơ.',
      'Theo dõi tin nhắn SMS: xã sẽ báo khi nhận, khi cần bổ sung và khi có kết quả.',
    ],
    stepsEn: [
      'Sign in to the public-service site.',
      'Find the procedure you need (for example: birth registration) and choose “Apply”.',
      'Answer each question, one per page.',
      'Take photos of the papers asked for and upload them.',
      'Check your answers, choose “Send” and write down the dossier code.',
      'Watch for SMS: the commune tells you when it receives it, when something is missing and when the result is ready.',
    ],
  },
  {
    slug: 'pay-bill-online',
    titleVi: 'Thanh toán hóa đơn trực tuyến',
    titleEn: 'Pay a bill online',
    stepsVi: [
      'Mở ứng dụng ngân hàng hoặc ví điện tử trên điện thoại.',
      'Chọn “Thanh toán hóa đơn”, rồi chọn loại: điện, nước, học phí, lệ phí…',
      'Nhập mã khách hàng in trên hóa đơn.',
      'Kiểm tra tên và số tiền, rồi bấm “Thanh toán”.',
      'Nhập mã OTP hoặc mật khẩu thanh toán; chụp màn hình biên lai để lưu.',
    ],
    stepsEn: [
      'Open your bank or e-wallet app.',
      'Choose “Pay bills”, then the kind: electricity, water, school fees, public fees…',
      'Enter the customer code printed on the bill.',
      'Check the name and the amount, then choose “Pay”.',
      'Enter the OTP or payment password; take a screenshot of the receipt to keep.',
    ],
  },
];
