import { lazy, Suspense } from 'react';
import { NavLink, Route, Routes } from 'react-router-dom';
import { useAuth } from './auth';
import { Loading } from './components/ui';
import { PortfolioPage } from './pages/Portfolio';
import { SignInPage } from './pages/SignIn';

// Pages other than the portfolio load when first opened, so the first page needs less JavaScript.
const AgreementPage = lazy(() => import('./pages/Agreement').then((m) => ({ default: m.AgreementPage })));
const AlertsPage = lazy(() => import('./pages/Alerts').then((m) => ({ default: m.AlertsPage })));
const AuditPage = lazy(() => import('./pages/Audit').then((m) => ({ default: m.AuditPage })));
const RegisterAgreementPage = lazy(() =>
  import('./pages/RegisterAgreement').then((m) => ({ default: m.RegisterAgreementPage })),
);

export function App() {
  const auth = useAuth();
  if (auth.checking) return <Loading what="your session" />;
  if (!auth.name) return <SignInPage />;
  const roles = [...new Set(Object.values(auth.roles).flat())].join(', ');
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Agreement tracker</span>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Portfolio
          </NavLink>
          {auth.can('alerts', 'stakeholder', 'monitor', 'auditor') && <NavLink to="/alerts">Alerts</NavLink>}
          {auth.can('agreements', 'auditor') && <NavLink to="/audit">Audit</NavLink>}
        </nav>
        <span className="who">
          Signed in as <strong>{auth.name}</strong> ({roles})
          <button type="button" onClick={auth.signOut}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading what="the page" />}>
          <Routes>
            <Route path="/" element={<PortfolioPage />} />
            <Route path="/agreements/new" element={<RegisterAgreementPage />} />
            <Route path="/agreements/:id" element={<AgreementPage />} />
            <Route path="/alerts" element={<AlertsPage />} />
            <Route path="/audit" element={<AuditPage />} />
            <Route path="*" element={<p>No such page. Go back to the portfolio.</p>} />
          </Routes>
        </Suspense>
      </main>
    </>
  );
}
