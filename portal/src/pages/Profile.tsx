// The partner's directory profile, prefilled from the saved one.
import { Button, Input, Spinner, Textarea, makeStyles, tokens } from "@fluentui/react-components";
import { useEffect, useMemo, useState } from "react";
import { checkProfileForm, type ProfileForm } from "saps-rules/web";
import { settle } from "../api/client";
import { Done, PageHeading, Problem, Section } from "../components";
import { CheckedField, FormMessages, useCheckedForm } from "../forms/checked";
import { useLoad } from "../load";
import { useCanManage, useSession } from "../session";

const useStyles = makeStyles({
  form: { display: "grid", gap: tokens.spacingVerticalM, maxWidth: "640px" },
});

const list = (text: string) =>
  text
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);

export function Profile() {
  const styles = useStyles();
  const { t, api, claims } = useSession();
  const canManage = useCanManage();
  const partnerId = claims.partnerId ?? "";
  const saved = useLoad(
    () =>
      settle(
        api.GET("/v1/partners/{partnerId}/profile", { params: { path: { partnerId } } }),
        t("problem.network"),
      ),
    [api, partnerId],
  );
  const [fields, setFields] = useState({
    companyName: "",
    website: "",
    contactEmail: "",
    phone: "",
    countries: "",
    languages: "",
    description: "",
  });
  const [done, setDone] = useState("");
  useEffect(() => {
    if (!saved.reply?.ok) return;
    const p = saved.reply.data;
    setFields({
      companyName: p.companyName,
      website: p.website,
      contactEmail: p.contactEmail,
      phone: p.phone ?? "",
      countries: p.countries.join(", "),
      languages: p.languages.join(", "),
      description: p.description ?? "",
    });
  }, [saved.reply]);
  const input = useMemo<ProfileForm>(
    () => ({
      companyName: fields.companyName,
      website: fields.website,
      contactEmail: fields.contactEmail,
      phone: fields.phone.trim() || undefined,
      countries: list(fields.countries),
      languages: list(fields.languages),
      description: fields.description || undefined,
    }),
    [fields],
  );
  const form = useCheckedForm(checkProfileForm, input);
  const set = (name: keyof typeof fields) => (_: unknown, d: { value: string }) =>
    setFields((was) => ({ ...was, [name]: d.value }));
  if (!saved.reply) return <Spinner label={t("app.loading")} />;
  // A partner without a saved profile starts from an empty form (404 is not a problem here).
  const failed = !saved.reply.ok && saved.reply.status !== 404 ? saved.reply : null;
  return (
    <>
      <PageHeading title={t("profile.title")} />
      {failed && <Problem failure={failed.failure} status={failed.status} />}
      {done && <Done>{done}</Done>}
      <Section>
        <form
          noValidate
          className={styles.form}
          onSubmit={(event) => {
            event.preventDefault();
            if (!form.submit()) return;
            void settle(
              api.PUT("/v1/partners/{partnerId}/profile", { params: { path: { partnerId } }, body: input }),
              t("problem.network"),
            ).then((reply) => {
              if (reply.ok) setDone(t("done.profile"));
              else form.refuse(reply.failure);
            });
          }}
        >
          <CheckedField form={form} name="companyName" label={t("field.companyName")} required>
            <Input value={fields.companyName} onChange={set("companyName")} readOnly={!canManage} />
          </CheckedField>
          <CheckedField form={form} name="website" label={t("field.website")} required>
            <Input type="url" value={fields.website} onChange={set("website")} readOnly={!canManage} />
          </CheckedField>
          <CheckedField form={form} name="contactEmail" label={t("field.contactEmail")} required>
            <Input
              type="email"
              value={fields.contactEmail}
              onChange={set("contactEmail")}
              readOnly={!canManage}
            />
          </CheckedField>
          <CheckedField form={form} name="phone" label={t("field.phone")} hint={t("field.phoneHint")}>
            <Input type="tel" value={fields.phone} onChange={set("phone")} readOnly={!canManage} />
          </CheckedField>
          <CheckedField
            form={form}
            name="countries"
            label={t("field.countries")}
            hint={t("field.countriesHint")}
            required
          >
            <Input value={fields.countries} onChange={set("countries")} readOnly={!canManage} />
          </CheckedField>
          <CheckedField
            form={form}
            name="languages"
            label={t("field.languages")}
            hint={t("field.languagesHint")}
            required
          >
            <Input value={fields.languages} onChange={set("languages")} readOnly={!canManage} />
          </CheckedField>
          <CheckedField form={form} name="description" label={t("field.description")}>
            <Textarea
              resize="vertical"
              value={fields.description}
              onChange={set("description")}
              readOnly={!canManage}
            />
          </CheckedField>
          <FormMessages form={form} />
          {canManage && (
            <div>
              <Button appearance="primary" type="submit">
                {t("action.save")}
              </Button>
            </div>
          )}
        </form>
      </Section>
    </>
  );
}
