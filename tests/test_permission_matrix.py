"""Who may see what: every URL name × every role, the status each must get (issue 16).

One row per URL name (pages and API operations, GET), one column per role. A URL added
to the project without a row fails `test_every_url_has_a_row`; a status that changes
fails the matrix with the URL and the role. The admin site is covered model by model
(changelist and add page of every registered model) plus its site-level pages.

Statuses are for GET, signed in as the role through its session: 200 shown, 302 sent to
sign in (or onwards), 403 refused, 404 not found or not yours (tenant data never says
"exists but not yours"), 405 the URL takes POST only (its POST permissions are tested by
each app's own tests), 400 the GET needs parameters this row does not send.

Regenerate the table after a deliberate change with
`PERMISSION_MATRIX_PRINT=1 pytest tests/test_permission_matrix.py -s`, then read every
changed row before committing it.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import CarerLink, User
from accounts.tests import factories as af
from directory.tests import factories as df
from marketplace.choosing import services as choosing
from marketplace.messaging import services as messaging
from marketplace.payouts import services as payouts
from marketplace.tests.booking_world import World as BookingWorld
from marketplace.tests.booking_world import make_hourly_service, request_hours
from marketplace.tests.factories import make_budget
from reviews.tests.factories import make_published_review

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "person",
    "carer",
    "carer_no_grant",
    "other_person",
    "provider_member",
    "other_provider",
    "other_commissioner",
    "vetting_officer",
    "admin",
)

# Site-level admin pages, each with its row below; per-model pages come from the admin registry.
ADMIN_SITE_NAMES = {"admin:index", "admin:login", "admin:logout", "admin:password_change",
                    "admin:password_change_done", "admin:jsi18n", "admin:view_on_site", "admin:autocomplete",
                    "admin:app_list"}  # fmt: skip
ADMIN_MODEL_PAGES = ("changelist", "add", "change", "delete", "history")

# url name -> statuses in ROLES order. Read them as a table: a column is one role.
#                                                   anon per carer nogr othp prov othv comm vet admin
MATRIX: dict[str, str] = {
    "accounts:api-token-revoke":                        "302 404 404 404 404 404 404 404 404 404",
    "accounts:api-tokens":                              "302 200 200 200 200 200 200 200 200 200",
    "accounts:carer-consent":                           "302 200 404 404 404 404 404 404 404 404",
    "accounts:carer-end":                               "302 405 405 405 405 405 405 405 405 405",
    "accounts:carers":                                  "302 200 200 200 200 200 200 200 200 200",
    "accounts:invitation-accept":                       "404 404 404 404 404 404 404 404 404 404",
    "accounts:password-change":                         "302 200 200 200 200 200 200 200 200 200",
    "accounts:password-reset":                          "200 200 200 200 200 200 200 200 200 200",
    "accounts:password-reset-complete":                 "200 200 200 200 200 200 200 200 200 200",
    "accounts:password-reset-confirm":                  "200 200 200 200 200 200 200 200 200 200",
    "accounts:password-reset-done":                     "200 200 200 200 200 200 200 200 200 200",
    "accounts:profile":                                 "302 200 200 200 200 200 200 200 200 200",
    "accounts:sign-in":                                 "200 302 302 302 302 302 302 302 302 302",
    "accounts:sign-out":                                "405 405 405 405 405 405 405 405 405 405",
    "accounts:sign-up":                                 "200 302 302 302 302 302 302 302 302 302",
    "accounts:supporting":                              "302 200 200 200 200 200 200 200 200 200",
    "admin:accounts_auditevent_add":                    "302 302 302 302 302 302 302 302 403 403",
    "admin:accounts_auditevent_changelist":             "302 302 302 302 302 302 302 302 403 200",
    "admin:accounts_carerlink_add":                     "302 302 302 302 302 302 302 302 403 200",
    "admin:accounts_carerlink_changelist":              "302 302 302 302 302 302 302 302 403 200",
    "admin:accounts_commissionermembership_add":        "302 302 302 302 302 302 302 302 403 200",
    "admin:accounts_commissionermembership_changelist": "302 302 302 302 302 302 302 302 403 200",
    "admin:accounts_personprofile_add":                 "302 302 302 302 302 302 302 302 403 200",
    "admin:accounts_personprofile_changelist":          "302 302 302 302 302 302 302 302 403 200",
    "admin:accounts_providerinvitation_add":            "302 302 302 302 302 302 302 302 403 200",
    "admin:accounts_providerinvitation_changelist":     "302 302 302 302 302 302 302 302 403 200",
    "admin:accounts_providermembership_add":            "302 302 302 302 302 302 302 302 403 200",
    "admin:accounts_providermembership_changelist":     "302 302 302 302 302 302 302 302 403 200",
    "admin:accounts_user_add":                          "302 302 302 302 302 302 302 302 403 200",
    "admin:accounts_user_changelist":                   "302 302 302 302 302 302 302 302 403 200",
    "admin:app_list":                                   "302 302 302 302 302 302 302 302 404 200",
    "admin:auth_group_add":                             "302 302 302 302 302 302 302 302 403 200",
    "admin:auth_group_changelist":                      "302 302 302 302 302 302 302 302 403 200",
    "admin:auth_user_password_change":                  "302 302 302 302 302 302 302 302 403 404",
    "admin:autocomplete":                               "302 302 302 302 302 302 302 302 403 403",
    "admin:axes_accessattempt_add":                     "302 302 302 302 302 302 302 302 403 403",
    "admin:axes_accessattempt_changelist":              "302 302 302 302 302 302 302 302 403 200",
    "admin:axes_accessfailurelog_add":                  "302 302 302 302 302 302 302 302 403 403",
    "admin:axes_accessfailurelog_changelist":           "302 302 302 302 302 302 302 302 403 200",
    "admin:axes_accesslog_add":                         "302 302 302 302 302 302 302 302 403 403",
    "admin:axes_accesslog_changelist":                  "302 302 302 302 302 302 302 302 403 200",
    "admin:directory_advicepage_add":                   "302 302 302 302 302 302 302 302 403 200",
    "admin:directory_advicepage_changelist":            "302 302 302 302 302 302 302 302 403 200",
    "admin:directory_communitygroup_add":               "302 302 302 302 302 302 302 302 403 200",
    "admin:directory_communitygroup_changelist":        "302 302 302 302 302 302 302 302 403 200",
    "admin:directory_event_add":                        "302 302 302 302 302 302 302 302 403 200",
    "admin:directory_event_changelist":                 "302 302 302 302 302 302 302 302 403 200",
    "admin:directory_gradechange_add":                  "302 302 302 302 302 302 302 302 403 200",
    "admin:directory_gradechange_changelist":           "302 302 302 302 302 302 302 302 403 200",
    "admin:directory_listingclaim_add":                 "302 302 302 302 302 302 302 302 403 200",
    "admin:directory_listingclaim_changelist":          "302 302 302 302 302 302 302 302 403 200",
    "admin:directory_providervetting_add":              "302 302 302 302 302 302 302 302 403 403",
    "admin:directory_providervetting_changelist":       "302 302 302 302 302 302 302 302 403 200",
    "admin:directory_registeredprovider_add":           "302 302 302 302 302 302 302 302 403 200",
    "admin:directory_registeredprovider_changelist":    "302 302 302 302 302 302 302 302 403 200",
    "admin:directory_registerimport_add":               "302 302 302 302 302 302 302 302 200 200",
    "admin:directory_registerimport_changelist":        "302 302 302 302 302 302 302 302 200 200",
    "admin:directory_registration_add":                 "302 302 302 302 302 302 302 302 403 200",
    "admin:directory_registration_changelist":          "302 302 302 302 302 302 302 302 403 200",
    "admin:directory_vettingcheck_add":                 "302 302 302 302 302 302 302 302 403 403",
    "admin:directory_vettingcheck_changelist":          "302 302 302 302 302 302 302 302 403 200",
    "admin:directory_vettingevidence_add":              "302 302 302 302 302 302 302 302 403 403",
    "admin:directory_vettingevidence_changelist":       "302 302 302 302 302 302 302 302 403 200",
    "admin:index":                                      "302 302 302 302 302 302 302 302 200 200",
    "admin:jsi18n":                                     "302 302 302 302 302 302 302 302 200 200",
    "admin:login":                                      "200 200 200 200 200 200 200 200 302 302",
    "admin:logout":                                     "302 302 302 302 302 302 302 302 405 405",
    "admin:marketplace_account_add":                    "302 302 302 302 302 302 302 302 403 403",
    "admin:marketplace_account_changelist":             "302 302 302 302 302 302 302 302 403 200",
    "admin:marketplace_booking_add":                    "302 302 302 302 302 302 302 302 403 403",
    "admin:marketplace_booking_changelist":             "302 302 302 302 302 302 302 302 200 200",
    "admin:marketplace_budget_add":                     "302 302 302 302 302 302 302 302 403 403",
    "admin:marketplace_budget_changelist":              "302 302 302 302 302 302 302 302 403 200",
    "admin:marketplace_budgetalert_add":                "302 302 302 302 302 302 302 302 403 403",
    "admin:marketplace_budgetalert_changelist":         "302 302 302 302 302 302 302 302 403 200",
    "admin:marketplace_commitment_add":                 "302 302 302 302 302 302 302 302 403 403",
    "admin:marketplace_commitment_changelist":          "302 302 302 302 302 302 302 302 403 200",
    "admin:marketplace_ledgertransaction_add":          "302 302 302 302 302 302 302 302 403 403",
    "admin:marketplace_ledgertransaction_changelist":   "302 302 302 302 302 302 302 302 403 200",
    "admin:marketplace_messagethread_add":              "302 302 302 302 302 302 302 302 403 403",
    "admin:marketplace_messagethread_changelist":       "302 302 302 302 302 302 302 302 403 200",
    "admin:marketplace_payout_add":                     "302 302 302 302 302 302 302 302 403 403",
    "admin:marketplace_payout_changelist":              "302 302 302 302 302 302 302 302 403 200",
    "admin:marketplace_payoutbatch_add":                "302 302 302 302 302 302 302 302 403 403",
    "admin:marketplace_payoutbatch_changelist":         "302 302 302 302 302 302 302 302 403 200",
    "admin:marketplace_recurringplan_add":              "302 302 302 302 302 302 302 302 403 403",
    "admin:marketplace_recurringplan_changelist":       "302 302 302 302 302 302 302 302 403 200",
    "admin:marketplace_topup_add":                      "302 302 302 302 302 302 302 302 403 403",
    "admin:marketplace_topup_changelist":               "302 302 302 302 302 302 302 302 403 200",
    "admin:password_change":                            "302 302 302 302 302 302 302 302 200 200",
    "admin:password_change_done":                       "302 302 302 302 302 302 302 302 200 200",
    "admin:reviews_moderationdecision_add":             "302 302 302 302 302 302 302 302 403 200",
    "admin:reviews_moderationdecision_changelist":      "302 302 302 302 302 302 302 302 403 200",
    "admin:reviews_providerreply_add":                  "302 302 302 302 302 302 302 302 403 200",
    "admin:reviews_providerreply_changelist":           "302 302 302 302 302 302 302 302 403 200",
    "admin:reviews_report_add":                         "302 302 302 302 302 302 302 302 403 200",
    "admin:reviews_report_changelist":                  "302 302 302 302 302 302 302 302 403 200",
    "admin:reviews_review_add":                         "302 302 302 302 302 302 302 302 403 200",
    "admin:reviews_review_changelist":                  "302 302 302 302 302 302 302 302 403 200",
    "admin:reviews_servicerating_add":                  "302 302 302 302 302 302 302 302 403 200",
    "admin:reviews_servicerating_changelist":           "302 302 302 302 302 302 302 302 403 200",
    "admin:view_on_site":                               "302 302 302 302 302 302 302 302 404 404",
    "api-docs":                                         "200 200 200 200 200 200 200 200 200 200",
    "api-index":                                        "200 200 200 200 200 200 200 200 200 200",
    "api-ping":                                         "200 200 200 200 200 200 200 200 200 200",
    "api-schema":                                       "200 200 200 200 200 200 200 200 200 200",
    "commissioning-api:gaps":                           "401 404 404 404 404 404 404 404 404 404",
    "commissioning-api:spend-by-category":              "401 404 404 404 404 404 404 404 404 404",
    "commissioning-api:spend-by-kind":                  "401 404 404 404 404 404 404 404 404 404",
    "commissioning-api:spend-by-month":                 "401 404 404 404 404 404 404 404 404 404",
    "commissioning-api:spend-by-provider":              "401 404 404 404 404 404 404 404 404 404",
    "commissioning-api:summary":                        "401 404 404 404 404 404 404 404 404 404",
    "commissioning-api:unmet-demand":                   "401 404 404 404 404 404 404 404 404 404",
    "commissioning:council-list":                       "200 200 200 200 200 200 200 200 200 200",
    "commissioning:council-spending":                   "200 200 200 200 200 200 200 200 200 200",
    "commissioning:dashboard":                          "302 404 404 404 404 404 404 404 404 404",
    "commissioning:dashboard-csv":                      "302 404 404 404 404 404 404 404 404 404",
    "commissioning:dashboard-print":                    "302 404 404 404 404 404 404 404 404 404",
    "commissioning:home":                               "302 200 200 200 200 200 200 302 200 200",
    "directory-api:portal-service-confirm":             "401 405 405 405 405 405 405 405 405 405",
    "directory-api:portal-service-detail":              "401 404 404 404 404 200 404 404 404 404",
    "directory-api:portal-service-list":                "401 200 200 200 200 200 200 200 200 200",
    "directory-api:portal-service-publish":             "401 405 405 405 405 405 405 405 405 405",
    "directory-api:portal-service-unpublish":           "401 405 405 405 405 405 405 405 405 405",
    "directory-api:postcode-detail":                    "404 404 404 404 404 404 404 404 404 404",
    "directory-api:service-search":                     "200 200 200 200 200 200 200 200 200 200",
    "directory:advice-detail":                          "404 404 404 404 404 404 404 404 404 404",
    "directory:advice-list":                            "200 200 200 200 200 200 200 200 200 200",
    "directory:claim-create":                           "302 404 404 404 404 404 404 404 404 404",
    "directory:claim-evidence":                         "302 404 404 404 404 404 404 404 404 404",
    "directory:claim-queue":                            "302 404 404 404 404 404 404 404 200 200",
    "directory:claim-review":                           "302 404 404 404 404 404 404 404 404 404",
    "directory:event-calendar":                         "200 200 200 200 200 200 200 200 200 200",
    "directory:event-detail":                           "200 200 200 200 200 200 200 200 200 200",
    "directory:event-search":                           "200 200 200 200 200 200 200 200 200 200",
    "directory:guide-answers":                          "302 302 302 302 302 302 302 302 302 302",
    "directory:guide-question":                         "404 404 404 404 404 404 404 404 404 404",
    "directory:guide-start":                            "200 200 200 200 200 200 200 200 200 200",
    "directory:portal-event-delete":                    "302 405 405 405 405 405 405 405 405 405",
    "directory:portal-event-edit":                      "302 404 404 404 404 200 404 404 404 404",
    "directory:portal-home":                            "302 200 200 200 200 200 200 200 200 200",
    "directory:portal-provider":                        "302 404 404 404 404 200 404 404 404 404",
    "directory:portal-provider-create":                 "302 200 200 200 200 200 200 200 200 200",
    "directory:portal-provider-edit":                   "302 404 404 404 404 200 404 404 404 404",
    "directory:portal-provider-event-create":           "302 404 404 404 404 200 404 404 404 404",
    "directory:portal-provider-events":                 "302 404 404 404 404 200 404 404 404 404",
    "directory:portal-provider-invite":                 "302 404 404 404 404 200 404 404 404 404",
    "directory:portal-service":                         "302 404 404 404 404 200 404 404 404 404",
    "directory:portal-service-availability":            "302 404 404 404 404 200 404 404 404 404",
    "directory:portal-service-cancellation":            "302 404 404 404 404 200 404 404 404 404",
    "directory:portal-service-confirm":                 "302 405 405 405 405 405 405 405 405 405",
    "directory:portal-service-create":                  "302 404 404 404 404 200 404 404 404 404",
    "directory:portal-service-history":                 "302 404 404 404 404 200 404 404 404 404",
    "directory:portal-service-publish":                 "302 405 405 405 405 405 405 405 405 405",
    "directory:portal-service-unpublish":               "302 405 405 405 405 405 405 405 405 405",
    "directory:search":                                 "200 200 200 200 200 200 200 200 200 200",
    "directory:service-detail":                         "200 200 200 200 200 200 200 200 200 200",
    "directory:vetting-evidence-add":                   "302 404 404 404 404 200 404 404 404 404",
    "directory:vetting-evidence-file":                  "302 404 404 404 404 404 404 404 404 404",
    "directory:vetting-evidence-review":                "302 404 404 404 404 404 404 404 404 404",
    "directory:vetting-provider":                       "302 404 404 404 404 200 404 404 200 200",
    "directory:vetting-provider-check":                 "405 405 405 405 405 405 405 405 405 405",
    "directory:vetting-queue":                          "302 404 404 404 404 404 404 404 200 200",
    "healthz":                                          "200 200 200 200 200 200 200 200 200 200",
    "home":                                             "200 200 200 200 200 200 200 200 200 200",
    "marketplace-api:booking-accept":                   "401 405 405 405 405 405 405 405 405 405",
    "marketplace-api:booking-cancel":                   "401 405 405 405 405 405 405 405 405 405",
    "marketplace-api:booking-confirm":                  "401 405 405 405 405 405 405 405 405 405",
    "marketplace-api:booking-decline":                  "401 405 405 405 405 405 405 405 405 405",
    "marketplace-api:booking-deliver":                  "401 405 405 405 405 405 405 405 405 405",
    "marketplace-api:booking-detail":                   "401 200 200 404 404 200 404 404 404 404",
    "marketplace-api:booking-dispute":                  "401 405 405 405 405 405 405 405 405 405",
    "marketplace-api:booking-list":                     "401 200 200 200 200 200 200 200 200 200",
    "marketplace-api:booking-schedule":                 "401 405 405 405 405 405 405 405 405 405",
    "marketplace-api:budget-alert":                     "401 405 405 405 405 405 405 405 405 405",
    "marketplace-api:budget-allocate":                  "401 405 405 405 405 405 405 405 405 405",
    "marketplace-api:budget-commit":                    "401 405 405 405 405 405 405 405 405 405",
    "marketplace-api:budget-detail":                    "401 200 200 404 404 404 404 404 404 404",
    "marketplace-api:budget-list":                      "401 200 200 200 200 200 200 200 200 200",
    "marketplace-api:budget-statement":                 "401 200 200 404 404 404 404 404 404 404",
    "marketplace-api:budget-topup":                     "401 405 405 405 405 405 405 405 405 405",
    "marketplace-api:commitment-refund":                "401 405 405 405 405 405 405 405 405 405",
    "marketplace-api:commitment-release":               "401 405 405 405 405 405 405 405 405 405",
    "marketplace-api:commitment-settle":                "401 405 405 405 405 405 405 405 405 405",
    "marketplace-api:notification-list":                "401 200 200 200 200 200 200 200 200 200",
    "marketplace-api:payout-batch-create":              "401 405 405 405 405 405 405 405 405 405",
    "marketplace-api:payout-result":                    "401 405 405 405 405 405 405 405 405 405",
    "marketplace-api:plan-list":                        "401 200 200 200 200 200 200 200 200 200",
    "marketplace-api:service-free-hours":               "401 400 400 400 400 400 400 400 400 400",
    "marketplace-api:thread-detail":                    "401 200 200 404 404 200 404 404 404 404",
    "marketplace-api:thread-list":                      "401 200 200 200 200 200 200 200 200 200",
    "marketplace:booking-action":                       "302 405 405 405 405 405 405 405 405 405",
    "marketplace:booking-detail":                       "302 200 200 404 404 200 404 404 404 404",
    "marketplace:booking-inbox":                        "302 200 200 200 200 200 200 200 200 200",
    "marketplace:booking-list":                         "302 200 200 200 200 200 200 200 200 200",
    "marketplace:booking-new":                          "302 200 200 200 200 200 200 200 200 200",
    "marketplace:booking-thread":                       "302 302 302 404 404 302 404 404 404 404",
    "marketplace:budget-alert":                         "302 200 200 404 404 404 404 404 404 404",
    "marketplace:budget-detail":                        "302 200 200 404 404 404 404 404 404 404",
    "marketplace:budget-list":                          "302 302 302 200 200 200 200 200 200 200",
    "marketplace:budget-statement":                     "302 200 200 404 404 404 404 404 404 404",
    "marketplace:budget-topup":                         "302 200 200 404 404 404 404 404 404 404",
    "marketplace:council-budget-adjust":                "302 404 404 404 404 404 404 404 404 404",
    "marketplace:council-budget-allocate":              "302 404 404 404 404 404 404 404 404 404",
    "marketplace:council-budget-detail":                "302 404 404 404 404 404 404 404 404 404",
    "marketplace:council-budget-list":                  "302 200 200 200 200 200 200 200 200 200",
    "marketplace:council-budget-new":                   "302 403 403 403 403 403 403 403 403 403",
    "marketplace:council-budget-statement":             "302 404 404 404 404 404 404 404 404 404",
    "marketplace:notification-list":                    "302 200 200 200 200 200 200 200 200 200",
    "marketplace:payout-batch-csv":                     "302 404 404 404 404 404 404 404 404 200",
    "marketplace:payout-batch-detail":                  "302 404 404 404 404 404 404 404 404 200",
    "marketplace:payout-batch-list":                    "302 404 404 404 404 404 404 404 404 200",
    "marketplace:payout-failed":                        "302 404 404 404 404 404 404 404 404 404",
    "marketplace:payout-paid":                          "302 404 404 404 404 404 404 404 404 404",
    "marketplace:plan-new":                             "302 200 200 200 200 200 200 200 200 200",
    "marketplace:provider-payouts":                     "302 404 404 404 404 200 404 404 404 200",
    "marketplace:saved-search-delete":                  "302 200 404 404 404 404 404 404 404 404",
    "marketplace:saved-search-detail":                  "302 200 404 404 404 404 404 404 404 404",
    "marketplace:saved-search-list":                    "302 200 200 200 200 200 200 200 200 200",
    "marketplace:saved-search-new":                     "302 400 400 400 400 400 400 400 400 400",
    "marketplace:saved-search-unsubscribe":             "404 404 404 404 404 404 404 404 404 404",
    "marketplace:shortlist":                            "200 200 200 200 200 200 200 200 200 200",
    "marketplace:shortlist-add":                        "405 405 405 405 405 405 405 405 405 405",
    "marketplace:shortlist-compare":                    "400 400 400 400 400 400 400 400 400 400",
    "marketplace:shortlist-detail":                     "302 200 200 404 404 404 404 404 404 404",
    "marketplace:shortlist-remove":                     "404 200 404 404 404 404 404 404 404 404",
    "marketplace:shortlist-share":                      "302 200 200 200 200 200 200 200 200 200",
    "marketplace:shortlist-share-revoke":               "302 200 302 302 302 302 302 302 302 302",
    "marketplace:shortlist-shared":                     "404 404 404 404 404 404 404 404 404 404",
    "marketplace:thread-detail":                        "302 200 200 404 404 200 404 404 404 404",
    "marketplace:thread-list":                          "302 200 200 200 200 200 200 200 200 200",
    "marketplace:thread-start":                         "302 200 200 200 200 200 200 200 200 200",
    "oruk:not-found":                                   "200 200 200 200 200 200 200 200 200 200",
    "oruk:root":                                        "200 200 200 200 200 200 200 200 200 200",
    "oruk:service-at-location-detail":                  "404 404 404 404 404 404 404 404 404 404",
    "oruk:service-at-location-list":                    "200 200 200 200 200 200 200 200 200 200",
    "oruk:service-detail":                              "404 404 404 404 404 404 404 404 404 404",
    "oruk:service-list":                                "200 200 200 200 200 200 200 200 200 200",
    "oruk:taxonomy-detail":                             "404 404 404 404 404 404 404 404 404 404",
    "oruk:taxonomy-list":                               "200 200 200 200 200 200 200 200 200 200",
    "oruk:taxonomy-term-detail":                        "404 404 404 404 404 404 404 404 404 404",
    "oruk:taxonomy-term-list":                          "200 200 200 200 200 200 200 200 200 200",
    "reviews-api:moderation-decision":                  "401 405 405 405 405 405 405 405 405 405",
    "reviews-api:moderation-queue":                     "401 403 403 403 403 403 403 403 200 200",
    "reviews-api:provider-rating":                      "200 200 200 200 200 200 200 200 200 200",
    "reviews-api:review-detail":                        "200 200 200 200 200 200 200 200 200 200",
    "reviews-api:review-helpful":                       "401 405 405 405 405 405 405 405 405 405",
    "reviews-api:review-list":                          "400 400 400 400 400 400 400 400 400 400",
    "reviews-api:review-provider-flag":                 "401 405 405 405 405 405 405 405 405 405",
    "reviews-api:review-reply":                         "401 405 405 405 405 405 405 405 405 405",
    "reviews-api:review-report":                        "401 405 405 405 405 405 405 405 405 405",
    "reviews-api:review-withdraw":                      "401 405 405 405 405 405 405 405 405 405",
    "reviews-api:service-rating":                       "200 200 200 200 200 200 200 200 200 200",
    "reviews:moderation-decide":                        "302 404 404 404 404 404 404 404 200 200",
    "reviews:moderation-queue":                         "302 404 404 404 404 404 404 404 200 200",
    "reviews:provider-flag":                            "302 404 404 404 404 200 404 404 404 404",
    "reviews:provider-list":                            "302 200 200 200 200 200 200 200 200 200",
    "reviews:review-detail":                            "200 200 200 200 200 200 200 200 200 200",
    "reviews:review-helpful":                           "302 405 405 405 405 405 405 405 405 405",
    "reviews:review-reply":                             "302 404 404 404 404 200 404 404 404 404",
    "reviews:review-report":                            "302 200 200 200 200 200 200 200 200 200",
    "reviews:review-withdraw":                          "302 405 405 405 405 405 405 405 405 405",
    "reviews:review-write":                             "302 200 200 403 200 403 403 403 403 403",
}  # fmt: skip


@dataclass
class Subjects:
    """The objects URLs point at: all of them belong to cast.person / cast.provider / cast.council."""

    values: dict[str, str]


def url_names() -> list[tuple[str, list[str]]]:
    """Every named URL with the names of its arguments."""

    def walk(patterns: list[Any], namespace: str | None) -> list[tuple[str, list[str]]]:
        found = []
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                ns = f"{namespace}:{inner}" if namespace and inner else inner or namespace
                found += walk(pattern.url_patterns, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.append((name, list(pattern.pattern.converters) or _regex_args(pattern)))
        return found

    return sorted({(n, tuple(a)) for n, a in walk(get_resolver().url_patterns, None)})  # type: ignore[misc]


def _regex_args(pattern: URLPattern) -> list[str]:
    return list(pattern.pattern.regex.groupindex)


def admin_model_names() -> set[str]:
    """Every admin URL of a registered model (changelist, add, change, delete, history and extras)."""
    prefixes = tuple(f"admin:{m._meta.app_label}_{m._meta.model_name}_" for m in admin.site._registry)
    return {name for name, _ in url_names() if name.startswith(prefixes)}


def test_every_url_has_a_row() -> None:
    admin_pages = admin_model_names()
    missing = [
        name
        for name, _ in url_names()
        if name not in MATRIX and name not in admin_pages and name not in ADMIN_SITE_NAMES
    ]
    assert not missing, f"URLs without a row in tests/test_permission_matrix.py MATRIX: {missing}"


@pytest.fixture
def subjects(cast: Any, settings: Any, tmp_path: Any) -> tuple[dict[str, User | None], dict[str, str]]:
    settings.MEDIA_ROOT = tmp_path / "media"
    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=50_000)
    hourly = make_hourly_service(cast.provider, name="Personal assistant hours")
    world = BookingWorld(cast=cast, budget=budget, hourly=hourly, visits=hourly)
    booking = request_hours(world)
    thread = messaging.thread_start_enquiry(actor=cast.person.user, service=hourly, person=cast.person, body="Hello")
    reviewed = df.make_service(provider=cast.provider, name="Lunch club")
    review = make_published_review(service=reviewed, person=cast.other_person)
    event = df.make_event(provider=cast.provider, title="Coffee morning")
    no_grant = af.make_user(full_name="Pat Pending")
    link = af.make_carer_link(carer=no_grant, person=cast.person, active=False)
    admin_user = af.make_user(full_name="Ada Admin", is_staff=True, is_superuser=True)
    payout_batch = payouts.payout_batch_create(actor=admin_user, idempotency_key="matrix-batch")
    # The person's shortlist (shared by link, holding the hourly service) and saved search.
    shortlist = choosing.shortlist_add(actor=cast.person.user, service=hourly).shortlist
    choosing.shortlist_share_create(actor=cast.person.user)
    df.make_postcode("G11 5AA", 55.8707, -4.3065)  # not the postcode the postcode API row looks up
    saved_search = choosing.saved_search_create(actor=cast.person.user, query_string="postcode=G11+5AA")
    users: dict[str, User | None] = {
        "anonymous": None,
        "person": cast.person.user,
        "carer": cast.carer,
        "carer_no_grant": no_grant,
        "other_person": cast.other_person.user,
        "provider_member": cast.provider_owner,
        "other_provider": af.make_provider_member(provider=cast.other_provider),
        "other_commissioner": af.make_commissioner(council=cast.other_council),
        "vetting_officer": cast.vetting_officer,
        "admin": admin_user,
    }
    assert not CarerLink.objects.filter(pk=link.pk, status=CarerLink.Status.ACTIVE).exists()
    values = {
        "booking": str(booking.code),
        "budget": str(budget.code),
        "commitment": str(booking.commitment.code),
        "thread": str(thread.code),
        "review": str(review.code),
        "service": str(hourly.code),
        "provider": str(cast.provider.code),
        "carer_link": str(link.code),
        "council": cast.council.slug,
        "payout_batch": str(payout_batch.code),
        "shortlist": str(shortlist.code),
        "saved_search": str(saved_search.code),
        "event": str(event.code),
        "missing": str(uuid.uuid4()),  # payouts, claims, evidence: no such object (404 for everyone)
    }
    return users, values


CODE_SUBJECT = [  # url name fragment -> which object its <code> is (first match wins)
    ("shortlist", "shortlist"), ("saved-search", "saved_search"),
    ("portal-provider-event", "provider"), ("portal-event", "event"), ("event-detail", "event"),
    ("event-calendar", "event"),
    ("provider-payouts", "provider"), ("payout-batch", "payout_batch"),
    ("review-write", "service"), ("portal-service-create", "provider"), ("vetting-evidence-add", "provider"),
    ("booking", "booking"), ("budget", "budget"), ("commitment", "commitment"), ("thread", "thread"),
    ("service-rating", "service"), ("provider-rating", "provider"), ("free-hours", "service"),
    ("review", "review"), ("moderation", "review"), ("helpful", "review"), ("provider-flag", "review"),
    ("portal-provider", "provider"), ("vetting-provider", "provider"), ("portal-service", "service"),
    ("service-detail", "service"), ("claim-create", "service"), ("carer", "carer_link"),
]  # fmt: skip


def url_for(name: str, args: list[str], values: dict[str, str]) -> str:
    kwargs: dict[str, str] = {}
    for arg in args:
        if arg == "code":
            kwargs[arg] = next((values[s] for frag, s in CODE_SUBJECT if frag in name), values["missing"])
        elif arg == "service_code":
            kwargs[arg] = values["service"]
        elif arg == "council":
            kwargs[arg] = values["council"]
        else:
            kwargs[arg] = {
                "view": "summary", "action": "accept", "kind": "insurance", "token": "no-such-token",
                "uidb64": "MQ", "postcode": "G12 8QQ", "app_label": "accounts", "content_type_id": "1",
                "object_id": "1",
            }.get(arg, "x")  # fmt: skip
    return reverse(name, kwargs=kwargs)


def observed(users: dict[str, User | None], url: str) -> str:
    codes = []
    for role in ROLES:
        client = Client()
        if users[role] is not None:
            client.force_login(users[role])
        codes.append(str(client.get(url).status_code))
    return " ".join(codes)


def test_permission_matrix(subjects: Any) -> None:
    users, values = subjects
    admin_pages = admin_model_names()
    rows: dict[str, str] = {}
    for name, args in url_names():
        if name in admin_pages and not name.endswith(("_changelist", "_add")):
            continue  # object pages: the same permission checks as the model's changelist row
        rows[name] = observed(users, url_for(name, list(args), values))
    if os.environ.get("PERMISSION_MATRIX_PRINT"):
        width = max(len(n) for n in rows) + 3
        for name, codes in rows.items():
            print(f'    {f"{chr(34)}{name}{chr(34)}:":<{width}} "{codes}",')
    wrong = {
        name: f"expected {MATRIX.get(name)}, got {codes}" for name, codes in rows.items() if MATRIX.get(name) != codes
    }
    assert not wrong, "\n".join(f"{name}: {why}" for name, why in wrong.items())
