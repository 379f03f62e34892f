/** Which screen: the lock phases first, then the hash route. */
import { useController } from './app/controller.ts';
import { useLang } from './i18n/index.ts';
import { useRoute } from './lib/hooks.ts';
import { SetPinScreen, SignInScreen, UnlockScreen } from './screens/auth.tsx';
import { Layout } from './screens/layout.tsx';
import { HouseholdFormScreen, HouseholdsScreen } from './screens/households.tsx';
import { HouseholdScreen } from './screens/household.tsx';
import { ResidentScreen } from './screens/resident.tsx';
import { VisitScreen } from './screens/visit.tsx';
import { BlockerScreen } from './screens/blockers.tsx';
import { FollowUpScreen, TodoScreen } from './screens/followUps.tsx';
import { ApplicationsScreen, NewApplicationScreen } from './screens/apply.tsx';
import { CardScreen, CardsScreen } from './screens/cards.tsx';
import { OutboxScreen } from './screens/outbox.tsx';
import { FixScreen } from './screens/fix.tsx';
import { t } from './i18n/index.ts';

export function App() {
  const c = useController();
  useLang();
  const route = useRoute();
  const phase = c.phase;
  if (phase.kind === 'loading') return <p class="boot">{t('app.loading')}</p>;
  if (phase.kind === 'signIn') return <main id="main"><SignInScreen notice={phase.notice} /></main>;
  if (phase.kind === 'setPin') return <main id="main"><SetPinScreen /></main>;
  if (phase.kind === 'unlock') return <main id="main"><UnlockScreen name={phase.name} failures={phase.failures} /></main>;
  const [head = '', a = '', b = ''] = route.path;
  const nav = head === 'todo' ? '#/todo' : head === 'apply' ? '#/apply' : head === 'cards' ? '#/cards' : head === 'outbox' || head === 'fix' ? '#/outbox' : '#/';
  return <Layout current={nav}>{screen(head, a, b)}</Layout>;
}

function screen(head: string, a: string, b: string) {
  switch (head) {
    case 'household':
      return <HouseholdScreen id={a} />;
    case 'household-new':
      return <HouseholdFormScreen id={null} villageCode={a} />;
    case 'household-edit':
      return <HouseholdFormScreen id={a} villageCode={null} />;
    case 'resident':
      return <ResidentScreen id={a} householdId={null} />;
    case 'resident-new':
      return <ResidentScreen id={null} householdId={a} />;
    case 'visit':
      return <VisitScreen householdId={a} />;
    case 'blocker':
      return <BlockerScreen householdId={a} />;
    case 'follow-up':
      return <FollowUpScreen householdId={a} />;
    case 'todo':
      return <TodoScreen />;
    case 'apply':
      return a === 'new' ? <NewApplicationScreen /> : <ApplicationsScreen />;
    case 'cards':
      return a ? <CardScreen slug={a} /> : <CardsScreen />;
    case 'outbox':
      return <OutboxScreen />;
    case 'fix':
      return <FixScreen key={a} id={a} />;
    case 'sign-in':
      return <SignInScreen notice={null} />;
    default:
      return b ? null : <HouseholdsScreen />;
  }
}
