using System.Text.Json;
using Ngrtc.Audit.Contracts.Catalogue;
using Ngrtc.Audit.Service.Ingestion;

namespace Ngrtc.Audit.UnitTests;

public class CatalogueTests
{
    /// <summary>EVENTS.md #1–#22 (#1 is two types).</summary>
    private static readonly string[] EventsMdTypes =
    [
        "ngrtc.sbi.call-authorized.v1", "ngrtc.sbi.call-rejected.v1", "ngrtc.ims.session-event-notified.v1",
        "ngrtc.dc.media-instruction-issued.v1", "ngrtc.dc.app-list-served.v1", "ngrtc.exposure.session-management-requested.v1",
        "ngrtc.exposure.session-management-decided.v1", "ngrtc.exposure.subscription-changed.v1", "ngrtc.exposure.disclosed.v1",
        "ngrtc.nrf.token-issued.v1", "ngrtc.identity.binding-changed.v1", "ngrtc.identity.asserted.v1", "ngrtc.identity.signed.v1",
        "ngrtc.identity.verified.v1", "ngrtc.identity.presented.v1", "ngrtc.identity.delegate-cert-changed.v1",
        "ngrtc.avatar.list-fetched.v1", "ngrtc.avatar.authorization-checked.v1", "ngrtc.avatar.representation-delivered.v1",
        "ngrtc.avatar.model-changed.v1", "ngrtc.consent.given.v1", "ngrtc.consent.withdrawn.v1", "ngrtc.security.breach-detected.v1",
    ];

    [Fact]
    public void the_catalogue_holds_every_type_of_events_md()
    {
        AuditCatalogue.All.Select(d => d.Type).ShouldBe(EventsMdTypes, ignoreOrder: true);
        AuditCatalogue.Ordered.Select(d => d.Type).ShouldBe(EventsMdTypes.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void every_personal_field_carries_the_role_events_md_gives_it()
    {
        var expected = new (string Type, string Field, PersonRole Role)[]
        {
            ("ngrtc.sbi.call-authorized.v1", "target", PersonRole.Target),
            ("ngrtc.sbi.call-rejected.v1", "target", PersonRole.Target),
            ("ngrtc.ims.session-event-notified.v1", "callingIdentity", PersonRole.Caller),
            ("ngrtc.ims.session-event-notified.v1", "calledIdentity", PersonRole.Callee),
            ("ngrtc.dc.app-list-served.v1", "subscriber", PersonRole.User),
            ("ngrtc.exposure.session-management-requested.v1", "target", PersonRole.Target),
            ("ngrtc.exposure.session-management-decided.v1", "target", PersonRole.Target),
            ("ngrtc.exposure.subscription-changed.v1", "targets", PersonRole.Target),
            ("ngrtc.exposure.disclosed.v1", "subject", PersonRole.Target),
            ("ngrtc.identity.binding-changed.v1", "thirdPartyId", PersonRole.Employee),
            ("ngrtc.identity.binding-changed.v1", "impu", PersonRole.Employee),
            ("ngrtc.identity.asserted.v1", "thirdPartyId", PersonRole.Employee),
            ("ngrtc.identity.asserted.v1", "impu", PersonRole.Employee),
            ("ngrtc.identity.signed.v1", "orig", PersonRole.Caller),
            ("ngrtc.identity.signed.v1", "dest", PersonRole.Callee),
            ("ngrtc.identity.verified.v1", "orig", PersonRole.Caller),
            ("ngrtc.identity.verified.v1", "dest", PersonRole.Callee),
            ("ngrtc.identity.presented.v1", "presentedId", PersonRole.Caller),
            ("ngrtc.identity.presented.v1", "callee", PersonRole.Callee),
            ("ngrtc.identity.delegate-cert-changed.v1", "contactPerson", PersonRole.Employee),
            ("ngrtc.avatar.list-fetched.v1", "user", PersonRole.User),
            ("ngrtc.avatar.list-fetched.v1", "avatarIds", PersonRole.User),
            ("ngrtc.avatar.authorization-checked.v1", "user", PersonRole.User),
            ("ngrtc.avatar.authorization-checked.v1", "avatarId", PersonRole.User),
            ("ngrtc.avatar.representation-delivered.v1", "avatarId", PersonRole.Owner),
            ("ngrtc.avatar.representation-delivered.v1", "recipient", PersonRole.User),
            ("ngrtc.avatar.model-changed.v1", "avatarId", PersonRole.Owner),
            ("ngrtc.avatar.model-changed.v1", "owner", PersonRole.Owner),
            ("ngrtc.consent.given.v1", "subject", PersonRole.Subject),
            ("ngrtc.consent.withdrawn.v1", "subject", PersonRole.Subject),
        };

        AuditCatalogue.All.SelectMany(d => d.PersonalFields.Select(f => (d.Type, f.JsonName, f.PersonalData!.Role)))
            .ShouldBe(expected, ignoreOrder: true);
    }

    [Fact]
    public void personal_data_categories_and_processing_activities_come_from_one_vocabulary()
    {
        AuditCatalogue.All.SelectMany(d => d.PersonalFields).Select(f => f.PersonalData!.Category).Distinct()
            .ShouldBeSubsetOf(PersonalDataCategories.All);
        AuditCatalogue.All.Select(d => d.ProcessingActivity).Distinct().ShouldBeSubsetOf(ProcessingActivities.All);
    }

    [Fact]
    public void retention_classes_follow_events_md()
    {
        var byType = AuditCatalogue.All.ToDictionary(d => d.Type, d => d.Retention);

        byType.Where(p => p.Value == RetentionClass.T0).Select(p => p.Key).ShouldBe(
            ["ngrtc.ims.session-event-notified.v1", "ngrtc.dc.media-instruction-issued.v1", "ngrtc.dc.app-list-served.v1",
             "ngrtc.avatar.list-fetched.v1", "ngrtc.avatar.representation-delivered.v1"],
            ignoreOrder: true);
        byType.Where(p => p.Value == RetentionClass.S).Select(p => p.Key).ShouldBe(
            ["ngrtc.sbi.call-authorized.v1", "ngrtc.sbi.call-rejected.v1", "ngrtc.nrf.token-issued.v1"], ignoreOrder: true);
        byType.Where(p => p.Value == RetentionClass.C).Select(p => p.Key).ShouldBe(
            ["ngrtc.consent.given.v1", "ngrtc.consent.withdrawn.v1"], ignoreOrder: true);
        byType["ngrtc.security.breach-detected.v1"].ShouldBe(RetentionClass.I);
        byType.Count(p => p.Value == RetentionClass.A).ShouldBe(12);
    }

    [Fact]
    public void an_sbi_call_that_names_a_subscriber_is_kept_as_accountability()
    {
        var authorized = AuditCatalogue.Get("ngrtc.sbi.call-authorized.v1");
        using var withTarget = JsonDocument.Parse("""{"target":"tel:+491555001234"}""");
        using var without = JsonDocument.Parse("""{"target":null}""");

        authorized.RetentionFor(withTarget.RootElement).ShouldBe(RetentionClass.A);
        authorized.RetentionFor(without.RootElement).ShouldBe(RetentionClass.S);
        AuditCatalogue.Get("ngrtc.exposure.disclosed.v1").RetentionFor(withTarget.RootElement).ShouldBe(RetentionClass.A);
    }

    [Fact]
    public void every_type_and_field_says_what_it_is()
    {
        foreach (var d in AuditCatalogue.All)
        {
            d.Description.ShouldNotBeNullOrWhiteSpace(d.Type);
            d.Emitter.ShouldNotBeNullOrWhiteSpace(d.Type);
            d.Fields.Where(f => string.IsNullOrWhiteSpace(f.Description)).Select(f => f.JsonName).ShouldBeEmpty(d.Type);
        }
    }

    [Fact]
    public void no_contract_has_a_field_for_communication_content()
    {
        AuditCatalogue.All.SelectMany(d => d.Fields.Select(f => $"{d.Type}.{f.JsonName}"))
            .Where(name => CommunicationContent.IsContentFieldName(name[(name.LastIndexOf('.') + 1)..]))
            .ShouldBeEmpty();
    }

    [Fact]
    public void fields_are_classified_with_category_and_role()
    {
        var verified = AuditCatalogue.Get("ngrtc.identity.verified.v1");

        verified.Retention.ShouldBe(RetentionClass.A);
        verified.PersonalFields.Select(f => (f.JsonName, f.PersonalData!.Role)).ShouldBe(
            [("orig", PersonRole.Caller), ("dest", PersonRole.Callee)], ignoreOrder: true);
        verified.Fields.Single(f => f.JsonName == "passportHash").PersonalData.ShouldBeNull();
    }

    [Fact]
    public void nullable_contract_properties_are_optional_and_the_others_required()
    {
        var verified = AuditCatalogue.Get("ngrtc.identity.verified.v1");

        verified.Fields.Where(f => f.Required).Select(f => f.JsonName)
            .ShouldBe(["passportHash", "result", "orig", "dest"], ignoreOrder: true);
        verified.Fields.Single(f => f.JsonName == "iatAgeSeconds").Kind.ShouldBe(FieldKind.Integer);
        AuditCatalogue.Get("ngrtc.consent.given.v1").Fields.Single(f => f.JsonName == "expiry").Kind.ShouldBe(FieldKind.Timestamp);
        var presented = AuditCatalogue.Get("ngrtc.identity.presented.v1").Fields.Single(f => f.JsonName == "privacyApplied");
        presented.Kind.ShouldBe(FieldKind.Boolean);
        presented.Required.ShouldBeTrue();
    }

    [Fact]
    public void allowed_values_come_from_the_contract()
    {
        AuditCatalogue.Get("ngrtc.avatar.authorization-checked.v1").Fields.Single(f => f.JsonName == "result")
            .AllowedValues.ShouldBe(["authorized", "denied"]);
        AuditCatalogue.Get("ngrtc.ims.session-event-notified.v1").Fields.Single(f => f.JsonName == "mediaTypes")
            .AllowedValues.ShouldBe(["DC", "AUDIO", "VIDEO"]);
    }

    [Fact]
    public void the_four_first_contracts_keep_their_json_field_names()
    {
        AuditCatalogue.Get("ngrtc.exposure.disclosed.v1").Fields.Select(f => f.JsonName)
            .ShouldBe(["subscriptionId", "eventType", "recipient", "dataCategories", "subject"]);
        AuditCatalogue.Get("ngrtc.identity.verified.v1").Fields.Select(f => f.JsonName)
            .ShouldBe(["passportHash", "result", "orig", "dest", "reasonCode", "iatAgeSeconds", "origId"]);
        AuditCatalogue.Get("ngrtc.avatar.authorization-checked.v1").Fields.Select(f => f.JsonName)
            .ShouldBe(["result", "user", "avatarId", "cause"]);
        AuditCatalogue.Get("ngrtc.consent.given.v1").Fields.Select(f => f.JsonName)
            .ShouldBe(["purpose", "noticeVersion", "channel", "subject", "recipient", "scope", "expiry"]);
    }
}
