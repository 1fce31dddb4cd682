// One voucher: its facts, what can be done next, its history as a timeline, its deliverables.
import {
  Button,
  Link,
  Table,
  TableBody,
  TableCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";
import { settle, type Api, type Schemas, type VoucherView } from "../api/client";
import { Done, Loaded, PageHeading, Section, StateBadge } from "../components";
import { ActionsFor } from "../forms/VoucherButtons";
import { saveAs } from "../download";
import { fileSize } from "../format";
import type { TextKey } from "../i18n";
import { allPages, useLoad } from "../load";
import { href } from "../routes";
import { useSession } from "../session";

type HistoryEntry = Schemas["HistoryEntry"];

const useStyles = makeStyles({
  facts: { "& td:first-child": { color: tokens.colorNeutralForeground3, width: "40%" } },
  timeline: { listStyle: "none", margin: 0, padding: 0 },
  entry: {
    borderLeft: `2px solid ${tokens.colorBrandStroke1}`,
    padding: `0 0 ${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
    position: "relative",
  },
  grid: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fit, minmax(300px, 1fr))",
    gap: tokens.spacingHorizontalL,
  },
});

function allHistory(api: Api, voucherNumber: string, networkMessage: string) {
  return allPages(
    (cursor) =>
      settle(
        api.GET("/v1/vouchers/{voucherNumber}/history", {
          params: { path: { voucherNumber }, query: { cursor, limit: 100 } },
        }),
        networkMessage,
      ),
    1000,
  );
}

export function VoucherPage({ voucherNumber }: { voucherNumber: string }) {
  const { t, api } = useSession();
  const [done, setDone] = useState("");
  const voucher = useLoad(
    () =>
      settle(
        api.GET("/v1/vouchers/{voucherNumber}", { params: { path: { voucherNumber } } }),
        t("problem.network"),
      ),
    [api, voucherNumber],
  );
  const history = useLoad(
    () => allHistory(api, voucherNumber, t("problem.network")),
    [api, voucherNumber, done],
  );
  return (
    <>
      <PageHeading title={t("voucher.title", { number: voucherNumber })}>
        <Link href={href("vouchers")}>{t("voucher.back")}</Link>
      </PageHeading>
      {done && <Done>{done}</Done>}
      <Loaded reply={voucher.reply}>
        {(v) => (
          <VoucherDetails
            voucher={v}
            history={history.reply?.ok ? history.reply.data : []}
            onChanged={(message) => {
              setDone(message);
              voucher.reload();
            }}
          />
        )}
      </Loaded>
    </>
  );
}

function VoucherDetails({
  voucher,
  history,
  onChanged,
}: {
  voucher: VoucherView;
  history: HistoryEntry[];
  onChanged(message: string): void;
}) {
  const styles = useStyles();
  const { t, programName, locale } = useSession();
  const facts: [TextKey, React.ReactNode][] = [
    ["column.state", <StateBadge state={voucher.effectiveState} />],
    ["column.program", programName(voucher.programId)],
    ["column.customer", voucher.customerName],
    ["field.adminEmail", voucher.adminEmail],
    ["column.days", voucher.days],
    ["voucher.created", voucher.createdOn],
    ["column.expires", voucher.expiresOn],
  ];
  const reservation = voucher.reservation;
  if (reservation) {
    facts.push(["voucher.engagement", `${reservation.engagementStart} – ${reservation.engagementEnd}`]);
    if (reservation.locationId) facts.push(["field.location", reservation.locationId]);
    if (reservation.customerDivision) facts.push(["field.customerDivision", reservation.customerDivision]);
  }
  const report = voucher.completionReport;
  if (report) {
    facts.push(["field.daysDelivered", report.daysDelivered]);
    facts.push(["voucher.delivered", `${report.deliveredStart} – ${report.deliveredEnd}`]);
  }
  if (voucher.redeemedOn) facts.push(["voucher.redeemedOn", voucher.redeemedOn]);
  if (voucher.claimId) facts.push(["voucher.claim", voucher.claimId]);
  return (
    <div className={styles.grid}>
      <Section title={t("voucher.facts")}>
        <Table size="small" className={styles.facts} aria-label={t("voucher.facts")}>
          <TableBody>
            {facts.map(([label, value]) => (
              <TableRow key={label}>
                <TableCell>{t(label)}</TableCell>
                <TableCell>{value}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        <div style={{ marginTop: tokens.spacingVerticalM }}>
          <ActionsFor voucher={voucher} onChanged={(_, message) => onChanged(message)} />
        </div>
      </Section>
      <Section title={t("voucher.history")}>
        <ol className={styles.timeline}>
          {history.map((entry) => (
            <li key={entry.version} className={styles.entry}>
              <Text weight="semibold" block>
                {t(`event.${entry.event}` as TextKey)}
              </Text>
              <Text size={200} block>
                {entry.on} · <StateBadge state={entry.to} />
              </Text>
              {entry.detail && (
                <Text size={200} block>
                  {entry.detail}
                </Text>
              )}
            </li>
          ))}
        </ol>
      </Section>
      {report && (
        <Section title={t("voucher.report")}>
          <Text block style={{ whiteSpace: "pre-wrap", marginBottom: tokens.spacingVerticalM }}>
            {report.summary}
          </Text>
          <Text weight="semibold" block>
            {t("field.deliverables")}
          </Text>
          <ul>
            {report.deliverables.map((file) => (
              <li key={file.fileName}>
                <DownloadButton voucherNumber={voucher.voucherNumber} fileName={file.fileName} /> (
                {fileSize(file.size, locale)})
              </li>
            ))}
          </ul>
        </Section>
      )}
    </div>
  );
}

function DownloadButton({ voucherNumber, fileName }: { voucherNumber: string; fileName: string }) {
  const { api, t } = useSession();
  return (
    <Button
      appearance="transparent"
      aria-label={t("action.download", { name: fileName })}
      onClick={() => {
        void api
          .GET("/v1/vouchers/{voucherNumber}/deliverables/{fileName}", {
            params: { path: { voucherNumber, fileName } },
            parseAs: "blob",
          })
          .then(({ data }) => data && saveAs(fileName, data));
      }}
    >
      {fileName}
    </Button>
  );
}
