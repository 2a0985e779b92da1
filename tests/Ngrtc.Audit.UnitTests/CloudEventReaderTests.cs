using System.Text.Json.Nodes;
using Ngrtc.Audit.Contracts;
using Ngrtc.Audit.Service.Ingestion;

using Ngrtc.Audit.Tests;

namespace Ngrtc.Audit.UnitTests;

public class CloudEventReaderTests
{
    private static ReadResult Single(JsonNode e) => CloudEventReader.Read(CloudEventContentTypes.Single, e.ToJsonString());

    private static IReadOnlyList<FieldError> ErrorsOf(JsonNode e)
    {
        var item = Single(e).Items.ShouldHaveSingleItem();
        item.IsValid.ShouldBeFalse();
        return item.Errors;
    }

    [Fact]
    public void a_valid_event_is_read_with_its_envelope()
    {
        var item = Single(Events.ExposureDisclosed()).Items.ShouldHaveSingleItem();

        item.Errors.ShouldBeEmpty();
        var envelope = item.Event!.Envelope;
        envelope.Id.ShouldBe("e-1");
        envelope.Tenant.ShouldBe("op-1");
        envelope.LegalBasis.ShouldBe("consent");
        envelope.Time.ShouldBe(new DateTimeOffset(2026, 11, 28, 10, 15, 0, TimeSpan.Zero));
        envelope.StreamKey.ShouldBe("urn:ngrtc:nf:IMSAS:imsas-eu1-02 e-1");
    }

    [Fact]
    public void times_with_an_offset_are_kept_as_utc()
    {
        var item = Single(Events.IdentityVerified()).Items.ShouldHaveSingleItem();

        item.Event!.Envelope.Time.ShouldBe(new DateTimeOffset(2026, 11, 28, 9, 15, 0, TimeSpan.Zero));
        item.Event.Envelope.Time.Offset.ShouldBe(TimeSpan.Zero);
    }

    [Fact]
    public void bad_json_is_a_body_error_with_its_position_and_not_its_text()
    {
        var result = CloudEventReader.Read(CloudEventContentTypes.Single, "{\"id\": tel:+491555000001");

        result.BodyError.ShouldNotBeNull();
        result.BodyError.Field.ShouldBe("$");
        result.BodyError.Reason.ShouldContain("not valid JSON");
        result.BodyError.Reason.ShouldNotContain("491555000001");
    }

    [Theory]
    [InlineData("id")]
    [InlineData("source")]
    [InlineData("type")]
    [InlineData("time")]
    [InlineData("specversion")]
    [InlineData("tenant")]
    [InlineData("nftype")]
    [InlineData("purpose")]
    [InlineData("legalbasis")]
    [InlineData("data")]
    public void a_missing_required_attribute_is_named(string attribute)
    {
        var e = Events.ExposureDisclosed();
        e.Remove(attribute);

        ErrorsOf(e).ShouldContain(new FieldError(attribute, "required attribute is missing"));
    }

    [Fact]
    public void an_unknown_type_is_refused()
    {
        var e = Events.ExposureDisclosed();
        e["type"] = "ngrtc.exposure.leaked.v1";

        ErrorsOf(e).ShouldContain(new FieldError("type", "unknown event type"));
    }

    [Fact]
    public void a_field_of_the_wrong_type_is_named_without_its_value()
    {
        var e = Events.IdentityVerified();
        e["data"]!["iatAgeSeconds"] = "seventy-five";
        e["data"]!["orig"] = 491555000001;

        var errors = ErrorsOf(e);
        errors.ShouldContain(new FieldError("data.iatAgeSeconds", "must be an integer"));
        errors.ShouldContain(new FieldError("data.orig", "must be a string"));
        string.Join(" ", errors).ShouldNotContain("491555000001");
    }

    [Fact]
    public void a_missing_personal_field_is_named()
    {
        var e = Events.ExposureDisclosed();
        e["data"]!.AsObject().Remove("subject");

        ErrorsOf(e).ShouldBe([new FieldError("data.subject", "required field is missing")]);
    }

    [Fact]
    public void unknown_fields_and_attributes_are_refused()
    {
        var e = Events.ExposureDisclosed();
        e["data"]!["imei"] = "35-209900-176148-1";
        e["imsi"] = "262019999999999";

        var errors = ErrorsOf(e);
        errors.ShouldContain(new FieldError("data.imei", "unknown field for ngrtc.exposure.disclosed.v1"));
        errors.ShouldContain(new FieldError("imsi", "unknown attribute"));
    }

    [Fact]
    public void a_boolean_field_takes_only_true_or_false()
    {
        var e = Events.Example("ngrtc.identity.presented.v1");
        e["data"]!["privacyApplied"] = "yes";

        ErrorsOf(e).ShouldBe([new FieldError("data.privacyApplied", "must be true or false")]);
    }

    [Fact]
    public void each_item_of_a_list_with_a_vocabulary_is_checked()
    {
        var e = Events.Example("ngrtc.ims.session-event-notified.v1");
        e["data"]!["mediaTypes"] = new JsonArray("AUDIO", "HOLOGRAM");

        ErrorsOf(e).ShouldBe([new FieldError("data.mediaTypes", "each item must be one of DC, AUDIO, VIDEO")]);
    }

    [Fact]
    public void binary_data_is_refused_as_content()
    {
        var e = Events.ExposureDisclosed();
        e["data_base64"] = "aGVsbG8=";

        ErrorsOf(e).ShouldContain(f => f.Field == "data_base64" && f.Reason.Contains("communication content"));
    }

    [Theory]
    [InlineData("result", "trusted-probably")]
    [InlineData("passportHash", "")]
    public void a_value_outside_its_domain_is_named(string field, string value)
    {
        var e = Events.IdentityVerified();
        e["data"]![field] = value;

        ErrorsOf(e).ShouldContain(f => f.Field == "data." + field);
    }

    [Theory]
    [InlineData("2026-11-28")]
    [InlineData("2026-11-28T10:15:00")]
    [InlineData("yesterday at noon")]
    public void a_time_that_is_not_rfc3339_is_refused(string time)
    {
        var e = Events.ExposureDisclosed();
        e["time"] = time;

        ErrorsOf(e).ShouldContain(f => f.Field == "time");
    }

    [Fact]
    public void a_wrong_spec_version_nf_type_and_legal_basis_are_refused()
    {
        var e = Events.ExposureDisclosed();
        e["specversion"] = "0.3";
        e["nftype"] = "TOASTER";
        e["legalbasis"] = "because";

        ErrorsOf(e).Select(f => f.Field).ShouldBe(["specversion", "nftype", "legalbasis"], ignoreOrder: true);
    }

    [Fact]
    public void a_batch_reads_each_event_and_names_the_index_of_a_bad_one()
    {
        var bad = Events.ExposureDisclosed("e-2");
        bad["data"]!["dataCategories"] = new JsonArray();
        var batch = new JsonArray(Events.ExposureDisclosed(), bad, Events.IdentityVerified());

        var result = CloudEventReader.Read(CloudEventContentTypes.Batch, batch.ToJsonString());

        result.BodyError.ShouldBeNull();
        result.Items.Select(i => i.IsValid).ShouldBe([true, false, true]);
        result.Items[1].Errors.ShouldBe([new FieldError("[1].data.dataCategories", "must not be empty")]);
        result.Items[1].Id.ShouldBe("e-2");
    }

    [Theory]
    [InlineData(CloudEventContentTypes.Batch, "{}", "a batch must be a JSON array of CloudEvents")]
    [InlineData(CloudEventContentTypes.Batch, "[]", "the batch is empty")]
    [InlineData(CloudEventContentTypes.Single, "[]", "a single CloudEvent must be a JSON object")]
    public void a_body_of_the_wrong_shape_is_refused(string contentType, string body, string reason)
    {
        CloudEventReader.Read(contentType, body).BodyError.ShouldBe(new FieldError("$", reason));
    }

    [Fact]
    public void other_content_types_are_refused_and_parameters_ignored()
    {
        CloudEventReader.Read("application/json", "{}").BodyError!.Field.ShouldBe("content-type");
        CloudEventReader.Read("application/cloudevents+json; charset=utf-8", Events.ExposureDisclosed().ToJsonString())
            .Items.ShouldHaveSingleItem().IsValid.ShouldBeTrue();
    }
}
