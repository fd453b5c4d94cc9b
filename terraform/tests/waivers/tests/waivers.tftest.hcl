# The waiver list is reviewed: adding or removing a waiver means changing this test in the same change.

run "waiver_list_is_the_reviewed_one" {
  command = apply

  assert {
    condition = toset(output.ids) == toset([
      "AVD-AWS-0053", "CKV_AWS_260", "CKV_AWS_378", "RDS.23", "CKV_AWS_133", "CKV_AWS_157",
      "AVD-AWS-0033", "CKV_AWS_145", "AVD-AWS-0132", "CKV_AWS_18", "AVD-AWS-0089", "CKV_AWS_144", "CKV2_AWS_62",
      "AVD-AWS-0057", "CKV2_AWS_57", "CKV_AWS_88", "CKV_AWS_126", "CKV2_AWS_41",
    ])
    error_message = "waivers.yaml changed: review the new list and update this test with it."
  }
  assert {
    condition     = length(output.ids) == length(distinct(output.ids))
    error_message = "Each rule is waived once."
  }
}

# D17 (IAM database authentication, CKV_AWS_161 / FSBP RDS.10) is met since the services log in with IAM
# tokens: it must not come back as a waiver.
run "iam_database_auth_is_not_waived" {
  command = apply

  assert {
    condition     = !contains(output.ids, "CKV_AWS_161") && !contains(output.ids, "RDS.10") && length([for w in output.waivers : w if w.item == "D17"]) == 0
    error_message = "D17 holds (iam_database_authentication_enabled = true): remove its waiver."
  }
}

run "every_waiver_is_explained" {
  command = apply

  assert {
    condition     = alltrue([for w in output.waivers : length(trimspace(try(w.reason, ""))) >= 60])
    error_message = "Every waiver needs a reason (at least a sentence)."
  }
  assert {
    condition     = alltrue([for w in output.waivers : contains(["checkov", "trivy", "fsbp"], try(w.scanner, ""))])
    error_message = "Every waiver names its scanner: checkov, trivy or fsbp."
  }
  assert {
    condition = alltrue([for w in output.waivers :
      (w.scanner == "checkov" && can(regex("^CKV2?_AWS_[0-9]+$", w.id))) ||
      (w.scanner == "trivy" && can(regex("^AVD-AWS-[0-9]{4}$", w.id))) ||
      (w.scanner == "fsbp" && can(regex("^[A-Za-z0-9]+\\.[0-9]+$", w.id)))
    ])
    error_message = "Waiver ids are in the scanner's own format (CKV_AWS_n, AVD-AWS-nnnn, Service.n)."
  }
  assert {
    condition     = alltrue([for w in output.waivers : length(try(w.resources, [])) > 0 && can(regex("^[A-Z]+[0-9]+$", try(w.item, "")))])
    error_message = "Every waiver says where it applies and which docs/reliability.md item it concerns."
  }
}
