import { describe, expect, it } from "vitest";
import { lineWords } from "./card";

describe("the card's lines", () => {
  it("names the other services a Yes reaches", () => {
    const l = { code: "other_services", question: "Use other AWS services (IAM, STS, KMS, …)", allowed: true, answer: "Yes: IAM, STS" };
    expect(lineWords(l)).toEqual({ yes: true, question: l.question, detail: "IAM, STS" });
  });
  it("shows a plain yes or no without a detail", () => {
    const q = "Make files of data public or lock them (object ACLs, retention, legal hold)";
    expect(lineWords({ code: "public_or_lock", question: q, allowed: false, answer: "No" })).toEqual({ yes: false, question: q, detail: "" });
    expect(lineWords({ code: "download", question: "Download files", allowed: true, answer: "Yes" }).detail).toBe("");
  });
  it("shows conditions, ends and addresses as their answers", () => {
    expect(lineWords({ code: "conditions", question: "Some of it only when", allowed: null, answer: "only over HTTPS" })).toEqual({ yes: null, question: "Some of it only when", detail: "only over HTTPS" });
  });
});
