/** The officer sign-in pages: username and password, then (when set up) the code from the app. */
import { CsrfField, ErrorSummary, Submit, TextField, type FieldErrors } from '../../../web/components.tsx';
import { OfficePage } from '../../../web/layout.tsx';
import type { PageRequest } from '../../../web/request.ts';

export interface SignInProps {
  p: PageRequest;
  next: string;
  username?: string;
  errors?: FieldErrors;
  /** A message about the whole attempt (wrong password, account locked), not one field. */
  notice?: { kind: 'error' | 'info'; text: string } | undefined;
}

export function SignInView({ p, next, username, errors = {}, notice }: SignInProps) {
  const hasErrors = Object.keys(errors).length > 0 || notice?.kind === 'error';
  return (
    <OfficePage p={p} title={p.t('office.signin.title')} officer={null} wide={false} hasErrors={hasErrors}>
      <ErrorSummary p={p} errors={errors} />
      <h1>{p.t('office.signin.title')}</h1>
      {notice ? (
        <div class={`notice${notice.kind === 'error' ? ' error' : ''}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          <p>{notice.text}</p>
        </div>
      ) : null}
      <p>{p.t('office.signin.intro')}</p>
      <form method="post" action="/office/sign-in" novalidate>
        <CsrfField p={p} />
        <input type="hidden" name="next" value={next} />
        <TextField name="username" label={p.t('office.signin.username')} value={username ?? ''} autocomplete="username" error={errors.username} maxLength={100} />
        <TextField name="password" type="password" label={p.t('office.signin.password')} autocomplete="current-password" error={errors.password} maxLength={200} />
        <Submit>{p.t('office.signin.submit')}</Submit>
      </form>
      <p class="muted">{p.t('office.signin.forgot')}</p>
    </OfficePage>
  );
}

export function SignInCodeView({ p, next, errors = {} }: { p: PageRequest; next: string; errors?: FieldErrors }) {
  return (
    <OfficePage p={p} title={p.t('office.signin.code.title')} officer={null} wide={false} hasErrors={Object.keys(errors).length > 0}>
      <ErrorSummary p={p} errors={errors} />
      <form method="post" action="/office/sign-in/code" novalidate>
        <CsrfField p={p} />
        <input type="hidden" name="next" value={next} />
        <TextField
          name="code"
          label={p.t('office.signin.code.title')}
          hint={p.t('office.signin.code.hint')}
          asHeading
          inputMode="numeric"
          autocomplete="one-time-code"
          short
          maxLength={6}
          error={errors.code}
        />
        <Submit>{p.t('office.signin.code.submit')}</Submit>
      </form>
      <p>
        <a href="/office/sign-in">{p.t('office.signin.code.start_again')}</a>
      </p>
    </OfficePage>
  );
}
