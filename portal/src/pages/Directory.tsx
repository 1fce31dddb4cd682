// The directory customers search: partners listed while an enrollment is current.
import {
  Button,
  Card,
  CardHeader,
  Dropdown,
  Input,
  Link,
  Option,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useMemo, useState } from "react";
import { checkSearchForm, type SearchForm } from "saps-rules/web";
import { settle, type Reply, type Schemas } from "../api/client";
import { PageHeading, Problem, Section } from "../components";
import { CheckedField, FormMessages, useCheckedForm } from "../forms/checked";
import { useSession } from "../session";

type Entry = Schemas["DirectoryEntry"];

const useStyles = makeStyles({
  form: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalM, alignItems: "start" },
  results: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fill, minmax(280px, 1fr))",
    gap: tokens.spacingHorizontalL,
    marginTop: tokens.spacingVerticalL,
  },
});

export function Directory() {
  const styles = useStyles();
  const { t, api, programs, programName } = useSession();
  const [programId, setProgramId] = useState("");
  const [country, setCountry] = useState("");
  const [language, setLanguage] = useState("");
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [problem, setProblem] = useState<Reply<unknown> | null>(null);
  const input = useMemo<SearchForm>(
    () => ({
      programId: programId || undefined,
      country: country.trim() || undefined,
      language: language.trim() || undefined,
      limit: 12,
    }),
    [programId, country, language],
  );
  const form = useCheckedForm(checkSearchForm, input);
  const search = async (cursor?: string) => {
    const checked = form.submit();
    if (!checked) return;
    const reply = await settle(
      api.GET("/v1/directory", { params: { query: { ...checked, cursor } } }),
      t("problem.network"),
    );
    if (!reply.ok) return setProblem(reply);
    setProblem(null);
    setEntries((was) => (cursor ? [...(was ?? []), ...reply.data.items] : reply.data.items));
    setNext(reply.data.nextCursor ?? null);
  };
  return (
    <>
      <PageHeading title={t("directory.title")} />
      <Section>
        <Text block>{t("directory.explain")}</Text>
        <form
          noValidate
          className={styles.form}
          onSubmit={(event) => {
            event.preventDefault();
            void search();
          }}
        >
          <CheckedField form={form} name="programId" label={t("filter.program")}>
            <Dropdown
              value={programId ? programName(programId) : t("filter.all")}
              selectedOptions={[programId]}
              onOptionSelect={(_, d) => setProgramId(d.optionValue ?? "")}
            >
              <Option value="">{t("filter.all")}</Option>
              {programs.map((p) => (
                <Option key={p.id} value={p.id}>
                  {programName(p.id)}
                </Option>
              ))}
            </Dropdown>
          </CheckedField>
          <CheckedField form={form} name="country" label={t("field.country")} hint={t("field.countryHint")}>
            <Input value={country} onChange={(_, d) => setCountry(d.value)} />
          </CheckedField>
          <CheckedField
            form={form}
            name="language"
            label={t("field.language")}
            hint={t("field.languageHint")}
          >
            <Input value={language} onChange={(_, d) => setLanguage(d.value)} />
          </CheckedField>
          <Button appearance="primary" type="submit" style={{ marginTop: tokens.spacingVerticalXXL }}>
            {t("action.search")}
          </Button>
        </form>
        <FormMessages form={form} />
      </Section>
      {problem && !problem.ok && <Problem failure={problem.failure} />}
      {entries && entries.length === 0 && <Text>{t("directory.none")}</Text>}
      {entries && entries.length > 0 && (
        <div className={styles.results} role="list" aria-label={t("directory.results")}>
          {entries.map((entry) => (
            <Card key={entry.partnerId} role="listitem">
              <CardHeader
                header={
                  <Text as="h3" weight="semibold">
                    {entry.profile.companyName}
                  </Text>
                }
                description={entry.programs.map(programName).join(" · ")}
              />
              {entry.profile.description && <Text>{entry.profile.description}</Text>}
              <Text size={200}>
                {t("directory.where", {
                  countries: entry.profile.countries.join(", "),
                  languages: entry.profile.languages.join(", "),
                })}
              </Text>
              <Text size={200}>
                <Link href={entry.profile.website} target="_blank" rel="noreferrer">
                  {entry.profile.website}
                </Link>{" "}
                · <Link href={`mailto:${entry.profile.contactEmail}`}>{entry.profile.contactEmail}</Link>
              </Text>
            </Card>
          ))}
        </div>
      )}
      {next && (
        <Button style={{ marginTop: tokens.spacingVerticalL }} onClick={() => void search(next)}>
          {t("action.more")}
        </Button>
      )}
    </>
  );
}
