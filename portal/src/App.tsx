import {
  Dropdown,
  Label,
  Option,
  Spinner,
  Tab,
  TabList,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { Locale } from "./api/client";
import { Access } from "./pages/Access";
import { ClaimQueue } from "./pages/ClaimQueue";
import { Claims } from "./pages/Claims";
import { CustomerPool } from "./pages/CustomerPool";
import { Dashboard } from "./pages/Dashboard";
import { Directory } from "./pages/Directory";
import { Payees } from "./pages/Payees";
import { Profile } from "./pages/Profile";
import { Qualifications } from "./pages/Qualifications";
import { VoucherPage } from "./pages/VoucherPage";
import { Vouchers } from "./pages/Vouchers";
import { go, useRoute, visiblePages, type PageId } from "./routes";
import { useSession } from "./session";
import type { TextKey } from "./i18n";

const useStyles = makeStyles({
  shell: { minHeight: "100vh", backgroundColor: tokens.colorNeutralBackground2 },
  header: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "center",
    gap: tokens.spacingHorizontalL,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
  },
  title: { flexGrow: 1, color: tokens.colorNeutralForegroundOnBrand },
  choice: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    "& label": { color: tokens.colorNeutralForegroundOnBrand, whiteSpace: "nowrap" },
  },
  body: {
    display: "flex",
    "@media (max-width: 720px)": { flexDirection: "column" },
  },
  nav: {
    minWidth: "200px",
    padding: tokens.spacingVerticalM,
    backgroundColor: tokens.colorNeutralBackground1,
    "@media (max-width: 720px)": { overflowX: "auto", minWidth: "auto" },
  },
  main: {
    flexGrow: 1,
    minWidth: 0,
    padding: tokens.spacingHorizontalXL,
    "@media (max-width: 720px)": { padding: tokens.spacingHorizontalM },
  },
});

const ROLE_LABELS: Record<string, TextKey> = {
  global_admin: "role.global_admin",
  partner_admin: "role.partner_admin",
  partner_user: "role.partner_user",
  tool_user: "role.tool_user",
  program_admin: "role.program_admin",
  customer_admin: "role.customer_admin",
  other_partner_admin: "role.other_partner_admin",
};

function Page({ page, param }: { page: PageId; param?: string }) {
  switch (page) {
    case "dashboard":
      return <Dashboard />;
    case "vouchers":
      return <Vouchers />;
    case "voucher":
      return <VoucherPage voucherNumber={param ?? ""} />;
    case "claims":
      return <Claims />;
    case "profile":
      return <Profile />;
    case "directory":
      return <Directory />;
    case "queue":
      return <ClaimQueue />;
    case "customer":
      return <CustomerPool />;
    case "qualifications":
      return <Qualifications />;
    case "payees":
      return <Payees />;
    case "access":
      return <Access />;
  }
}

export function App() {
  const styles = useStyles();
  const session = useSession();
  const { t, claims, locale, setLocale, ready, demoTokens, signedInAs, signIn } = session;
  const route = useRoute(claims);
  const pages = visiblePages(claims);
  const wide = window.matchMedia("(min-width: 721px)").matches;
  const labels = Object.keys(demoTokens);
  const roleLabel = (label: string) => (ROLE_LABELS[label] ? t(ROLE_LABELS[label]) : label);

  return (
    <div className={styles.shell}>
      <header className={styles.header}>
        <Text as="h1" size={500} weight="semibold" className={styles.title}>
          {t("app.title")}
        </Text>
        <div className={styles.choice}>
          <Label id="language-label">{t("app.language")}</Label>
          <Dropdown
            aria-labelledby="language-label"
            value={locale === "zh-CN" ? "简体中文" : "English"}
            selectedOptions={[locale]}
            onOptionSelect={(_, data) => setLocale((data.optionValue as Locale) ?? "en")}
          >
            <Option value="en">English</Option>
            <Option value="zh-CN">简体中文</Option>
          </Dropdown>
        </div>
        {labels.length > 0 && (
          <div className={styles.choice}>
            <Label id="signed-in-label">{t("app.signedInAs")}</Label>
            <Dropdown
              aria-labelledby="signed-in-label"
              value={signedInAs ? roleLabel(signedInAs) : t("role.anonymous")}
              selectedOptions={[signedInAs]}
              onOptionSelect={(_, data) => {
                signIn(data.optionValue ?? "");
                go("dashboard");
              }}
            >
              <Option value="">{t("role.anonymous")}</Option>
              {labels.map((label) => (
                <Option key={label} value={label}>
                  {roleLabel(label)}
                </Option>
              ))}
            </Dropdown>
          </div>
        )}
      </header>
      <div className={styles.body}>
        <nav className={styles.nav} aria-label={t("app.navigation")}>
          <TabList
            vertical={wide}
            selectedValue={route.page === "voucher" ? "vouchers" : route.page}
            onTabSelect={(_, data) => go(data.value as PageId)}
          >
            {pages.map((page) => (
              <Tab key={page.id} value={page.id}>
                {t(page.label)}
              </Tab>
            ))}
          </TabList>
        </nav>
        <main className={styles.main}>
          {ready ? (
            <Page key={`${route.page}/${route.param ?? ""}/${signedInAs}`} {...route} />
          ) : (
            <Spinner label={t("app.loading")} />
          )}
        </main>
      </div>
    </div>
  );
}
