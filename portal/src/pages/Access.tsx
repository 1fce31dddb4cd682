// The global administrator's voucher-tool grants (SPEC §15.3): which partner users may reserve,
// report and redeem, with every change kept in an audit list.
import {
  Button,
  Input,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useMemo, useState } from "react";
import { settle, type Schemas } from "../api/client";
import { Done, Loaded, PageHeading, Problem, Section } from "../components";
import { CheckedField, FormMessages, useCheckedForm } from "../forms/checked";
import { useLoad } from "../load";
import { useAllRulesCheck } from "../rules";
import { useSession } from "../session";

const useStyles = makeStyles({
  add: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalM, alignItems: "start" },
});

export function Access() {
  const styles = useStyles();
  const { t, api, claims } = useSession();
  const partnerId = claims.partnerId ?? "";
  const [user, setUser] = useState("");
  const [done, setDone] = useState("");
  const [problem, setProblem] = useState<Schemas["Failure"] | null>(null);
  const list = useLoad(
    () =>
      settle(
        api.GET("/v1/partners/{partnerId}/access", { params: { path: { partnerId } } }),
        t("problem.network"),
      ),
    [api, partnerId],
  );
  const userSub = user.trim();
  const input = useMemo(() => ({ grants: ["voucherTool"] }), []);
  const context = useMemo(
    () => ({ userSub, current: list.reply?.ok ? list.reply.data.users : [], by: claims.sub ?? "" }),
    [userSub, list.reply, claims.sub],
  );
  const form = useCheckedForm(useAllRulesCheck<typeof input>("setGrants", context), input);
  const change = async (userSub: string, grants: string[]) => {
    setProblem(null);
    const reply =
      grants.length === 0
        ? await settle(
            api.DELETE("/v1/partners/{partnerId}/access/{userSub}", {
              params: { path: { partnerId, userSub } },
            }),
            t("problem.network"),
          )
        : await settle(
            api.PUT("/v1/partners/{partnerId}/access/{userSub}", {
              params: { path: { partnerId, userSub } },
              body: { grants },
            }),
            t("problem.network"),
          );
    if (!reply.ok) {
      setProblem(reply.failure);
      return false;
    }
    setDone(t(grants.length ? "done.grant" : "done.revoke", { user: userSub }));
    list.reload();
    return true;
  };
  return (
    <>
      <PageHeading title={t("access.title")} />
      <Text block>{t("access.explain")}</Text>
      {done && <Done>{done}</Done>}
      {problem && <Problem failure={problem} />}
      <Section title={t("access.grant")}>
        <form
          noValidate
          className={styles.add}
          onSubmit={(event) => {
            event.preventDefault();
            if (!userSub)
              return form.refuse({
                code: "field.required",
                message: "",
                fields: [{ field: "userSub", code: "field.required", message: t("access.userRequired") }],
              });
            if (!form.submit()) return;
            void change(userSub, input.grants).then((ok) => ok && setUser(""));
          }}
        >
          <CheckedField
            form={form}
            name="userSub"
            label={t("field.userSub")}
            hint={t("field.userSubHint")}
            required
          >
            <Input value={user} onChange={(_, d) => setUser(d.value)} />
          </CheckedField>
          <Button appearance="primary" type="submit" style={{ marginTop: tokens.spacingVerticalXXL }}>
            {t("action.grant")}
          </Button>
        </form>
        <FormMessages form={form} />
      </Section>
      <Section title={t("access.users")}>
        <Loaded reply={list.reply}>
          {(access) =>
            access.users.length === 0 ? (
              <Text>{t("access.none")}</Text>
            ) : (
              <Table aria-label={t("access.users")}>
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell>{t("field.userSub")}</TableHeaderCell>
                    <TableHeaderCell>{t("column.dates")}</TableHeaderCell>
                    <TableHeaderCell>{t("column.actions")}</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {access.users.map((grant) => (
                    <TableRow key={grant.userSub}>
                      <TableCell>{grant.userSub}</TableCell>
                      <TableCell>
                        {t("access.grantedBy", { by: grant.grantedBy, day: grant.grantedOn })}
                      </TableCell>
                      <TableCell>
                        <Button
                          size="small"
                          aria-label={`${t("action.revoke")} ${grant.userSub}`}
                          onClick={() => void change(grant.userSub, [])}
                        >
                          {t("action.revoke")}
                        </Button>
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )
          }
        </Loaded>
      </Section>
      <Section title={t("access.audit")}>
        <Loaded reply={list.reply}>
          {(access) => (
            <ul>
              {[...access.audit].reverse().map((line, i) => (
                <li key={i}>
                  {t(line.after.length ? "access.auditGrant" : "access.auditRevoke", {
                    day: line.on,
                    by: line.by,
                    user: line.userSub,
                  })}
                </li>
              ))}
            </ul>
          )}
        </Loaded>
      </Section>
    </>
  );
}
