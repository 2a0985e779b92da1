using Ngrtc.Audit.Contracts.Catalogue;

namespace Ngrtc.Audit.UnitTests;

public class CatalogueTests
{
    [Fact]
    public void the_catalogue_holds_one_type_of_each_work_task_and_consent()
    {
        AuditCatalogue.All.Select(d => d.Type).ShouldBe(
            ["ngrtc.identity.verified.v1", "ngrtc.avatar.authorization-checked.v1", "ngrtc.exposure.disclosed.v1", "ngrtc.consent.given.v1"],
            ignoreOrder: true);
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
    }

    [Fact]
    public void allowed_values_come_from_the_contract()
    {
        AuditCatalogue.Get("ngrtc.avatar.authorization-checked.v1").Fields.Single(f => f.JsonName == "result")
            .AllowedValues.ShouldBe(["authorized", "denied"]);
    }
}
