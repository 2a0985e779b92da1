using System.Text.Json.Nodes;
using Ngrtc.Audit.Contracts;
using Ngrtc.Audit.Contracts.Catalogue;
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
        envelope.Source.ShouldBe("urn:ngrtc:nf:IMSAS:imsas-eu1-02");
        envelope.Tenant.ShouldBe("op-1");
        envelope.LegalBasis.ShouldBe("consent");
        envelope.Time.ShouldBe(new DateTimeOffset(2026, 11, 28, 10, 15, 0, TimeSpan.Zero));
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
        errors.ShouldContain(new FieldError("data.iatAgeSeconds", "must be an integer between -9007199254740991 and 9007199254740991"));
        errors.ShouldContain(new FieldError("data.orig", "must be a string"));
        string.Join(" ", errors).ShouldNotContain("491555000001");
    }

    [Theory]
    [InlineData(9_007_199_254_740_992L)]
    [InlineData(-9_007_199_254_740_993L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void an_integer_a_double_cannot_hold_exactly_is_refused(long value)
    {
        // Canonical leaf bytes write numbers as doubles: 2^53 and 2^53 + 1 would share one leaf.
        var e = Events.IdentityVerified();
        e["data"]!["iatAgeSeconds"] = value;

        ErrorsOf(e).ShouldBe([new FieldError("data.iatAgeSeconds", "must be an integer between -9007199254740991 and 9007199254740991")]);
    }

    [Fact]
    public void the_largest_exact_integer_is_read()
    {
        var e = Events.IdentityVerified();
        e["data"]!["iatAgeSeconds"] = AuditCatalogue.MaxSafeInteger;

        Single(e).Items.ShouldHaveSingleItem().Errors.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("\"tenant\":", "tenant")]
    [InlineData("\"iatAgeSeconds\":", "data.iatAgeSeconds")]
    public void a_member_named_twice_is_refused_by_name(string member, string field)
    {
        var json = Events.IdentityVerified().ToJsonString();
        var at = json.IndexOf(member, StringComparison.Ordinal);
        at.ShouldBeGreaterThan(0);
        var twice = json[..at] + member + "1," + json[at..];

        var item = CloudEventReader.Read(CloudEventContentTypes.Single, twice).Items.ShouldHaveSingleItem();

        item.Errors.ShouldContain(new FieldError(field, "appears twice in one object (I-JSON, RFC 7493 §2.3)"));
    }

    [Fact]
    public void a_name_the_emitter_chose_is_quoted_only_when_it_looks_like_a_field_name()
    {
        // A phone number or URI sent as a member name must not come back in a refusal (logs, dead letters).
        var e = Events.ExposureDisclosed();
        e["data"]!["tel:+4915550000001"] = 1;
        e["+4915550000002"] = "x";
        e["data"]!["extraField"] = 2;

        var errors = ErrorsOf(e);

        errors.Select(x => x.Field).ShouldBe(["(a name of 14 characters)", "data.(a name of 18 characters)", "data.extraField"], ignoreOrder: true);
        string.Join(" ", errors).ShouldNotContain("491555000000");
    }

    [Theory]
    [InlineData("id", "id")]
    [InlineData("subject", "data.subject")]
    public void a_string_escaping_a_lone_surrogate_is_refused_by_name(string member, string field)
    {
        var e = Events.ExposureDisclosed();
        if (field == member)
        {
            e[member] = "MARK";
        }
        else
        {
            e["data"]![member] = "MARK";
        }

        var item = CloudEventReader.Read(CloudEventContentTypes.Single, e.ToJsonString().Replace("MARK", "x\\ud800")).Items.ShouldHaveSingleItem();

        item.Errors.ShouldContain(new FieldError(field, "is not valid Unicode (it escapes a lone surrogate)"));
    }

    [Fact]
    public void a_member_name_escaping_a_lone_surrogate_is_refused_not_thrown()
    {
        var e = Events.ExposureDisclosed();
        e["data"]!["MARK"] = 1;

        var item = CloudEventReader.Read(CloudEventContentTypes.Single, e.ToJsonString().Replace("MARK", "\\udc00")).Items.ShouldHaveSingleItem();

        item.Errors.ShouldBe([new FieldError("$", "a member name is not valid Unicode (it escapes a lone surrogate)")]);
    }

    [Fact]
    public void blank_strings_and_nul_characters_are_refused_by_name()
    {
        var e = Events.ExposureDisclosed(subject: "   ");
        e["tenant"] = "op\u00001";
        e["correlationid"] = " ";

        var errors = ErrorsOf(e);

        errors.ShouldContain(new FieldError("data.subject", "must not be blank"));
        errors.ShouldContain(new FieldError("correlationid", "must not be blank"));
        errors.ShouldContain(new FieldError("tenant", "must not contain U+0000 (PostgreSQL stores no such JSON string)"));
    }

    [Theory]
    [InlineData("subject", "tel:+491555000099")]
    [InlineData("subject", "+49 1555 000099")]
    [InlineData("subject", "015550000099")]
    [InlineData("subject", " <sip:alice@example.org>")]
    [InlineData("correlationid", "sip:alice@example.org")]
    [InlineData("id", "mailto:alice@example.org")]
    public void a_person_in_the_clear_envelope_is_refused_by_name_without_the_value(string attribute, string value)
    {
        var e = Events.ExposureDisclosed();
        e[attribute] = value;

        var errors = ErrorsOf(e);

        errors.ShouldBe([new FieldError(attribute, "must not carry personal data (a telephone number or a person's URI): put identifiers in the data fields the catalogue classifies")]);
        string.Join(" ", errors).ShouldNotContain("1555");
        string.Join(" ", errors).ShouldNotContain("alice");
    }

    [Theory]
    [InlineData("id", "100000001")]
    [InlineData("correlationid", "4711000012")]
    [InlineData("subject", "subscription-42")]
    [InlineData("subject", "2026-11-28")]
    [InlineData("subject", "192.168.100.1")]
    public void counters_and_plain_names_in_the_envelope_are_read(string attribute, string value)
    {
        var e = Events.ExposureDisclosed();
        e[attribute] = value;

        Single(e).Items.ShouldHaveSingleItem().Errors.ShouldBeEmpty();
    }

    [Fact]
    public void content_in_the_envelope_is_refused()
    {
        var e = Events.ExposureDisclosed();
        e["correlationid"] = "eyJhbGciOiJFUzI1NiIsInR5cCI6InBhc3Nwb3J0In0.eyJvcmlnIjp7InRuIjoiMTIzIn19.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl";

        ErrorsOf(e).ShouldHaveSingleItem().Field.ShouldBe("correlationid");
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

    [Theory]
    [InlineData("payload")]
    [InlineData("content")]
    [InlineData("media")]
    [InlineData("body")]
    [InlineData("passport")]
    [InlineData("identityHeader")]
    [InlineData("logo")]
    [InlineData("model")]
    [InlineData("modelBytes")]
    [InlineData("animation")]
    [InlineData("sdp")]
    [InlineData("Payload")]
    public void a_field_named_like_content_is_refused_as_content(string field)
    {
        var e = Events.ExposureDisclosed();
        e["data"]![field] = "v=0 o=- 4711 1 IN IP4 192.0.2.7";

        var errors = ErrorsOf(e);
        errors.ShouldBe([new FieldError("data." + field, "communication content is not audit data")]);
        string.Join(" ", errors).ShouldNotContain("192.0.2.7");
    }

    // A PASSporT as RFC 8225 shows it: header {"alg":"ES256","ppt":"shaken","typ":"passport","x5u":...}.
    private const string Passport =
        "eyJhbGciOiJFUzI1NiIsInBwdCI6InNoYWtlbiIsInR5cCI6InBhc3Nwb3J0IiwieDV1IjoiaHR0cHM6Ly9jZXJ0LmV4YW1wbGUub3JnL3Bhc3Nwb3J0LmNlciJ9"
        + ".eyJhdHRlc3QiOiJBIiwiZGVzdCI6eyJ0biI6WyI0OTE1NTUwMDU2NzgiXX0sImlhdCI6MTc5NTg2NjUwMCwib3JpZyI6eyJ0biI6IjQ5MTU1NTAwMTIzNCJ9fQ"
        + ".MEUCIQDwLvLpHhq0ovoA7AX9YqKDSZfBTQ5W4hg3ZzSEF3K2dgIgXtYjXi1S2IBvsSOcIkRBn5eqQtsLe3Rf";

    [Fact]
    public void a_raw_passport_in_a_field_is_refused_without_quoting_it()
    {
        var e = Events.IdentityVerified();
        e["data"]!["passportHash"] = Passport;

        var errors = ErrorsOf(e);
        errors.ShouldBe([new FieldError("data.passportHash", "communication content (raw PASSporT) is not audit data; send its hash")]);
        string.Join(" ", errors).ShouldNotContain("eyJ");
    }

    [Fact]
    public void an_identity_header_value_is_a_raw_passport_too()
    {
        var e = Events.IdentityVerified();
        e["data"]!["reasonCode"] = Passport + ";info=<https://cert.example.org/passport.cer>;alg=ES256;ppt=shaken";

        ErrorsOf(e).ShouldBe([new FieldError("data.reasonCode", "communication content (raw PASSporT) is not audit data; send its hash")]);
    }

    [Fact]
    public void another_jws_such_as_a_token_is_refused_as_a_raw_jws()
    {
        // {"alg":"HS256","typ":"JWT"} . {"sub":"nf-1"} . signature
        var e = Events.IdentityVerified();
        e["data"]!["origId"] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJuZi0xIn0.c2lnbmF0dXJl";

        ErrorsOf(e).ShouldBe([new FieldError("data.origId", "communication content (raw JWS) is not audit data; send its hash")]);
    }

    [Fact]
    public void three_dotted_parts_that_are_not_a_jws_are_data()
    {
        var e = Events.IdentityVerified();
        e["data"]!["origId"] = "abc.def.ghi";
        Single(e).Items.ShouldHaveSingleItem().IsValid.ShouldBeTrue();

        // A first part of 5 characters is not base64url at all (a length of 1 mod 4): still data, not an exception.
        e["data"]!["origId"] = "dcas1.operator.example";
        Single(e).Items.ShouldHaveSingleItem().IsValid.ShouldBeTrue();
    }

    [Fact]
    public void a_jws_header_with_white_space_before_its_object_is_still_a_jws_and_a_broken_header_is_data()
    {
        // " \n{"alg":"ES256","ppt":"shaken"}" and "{"alg":" (cut short), each as the header of header.payload.signature.
        var e = Events.IdentityVerified();
        e["data"]!["origId"] = "IAp7ImFsZyI6IkVTMjU2IiwicHB0Ijoic2hha2VuIn0.eyJzdWIiOiJuZi0xIn0.c2lnbmF0dXJl";
        ErrorsOf(e).ShouldBe([new FieldError("data.origId", "communication content (raw PASSporT) is not audit data; send its hash")]);

        e["data"]!["origId"] = "eyJhbGciOg.eyJzdWIiOiJuZi0xIn0.c2lnbmF0dXJl";
        Single(e).Items.ShouldHaveSingleItem().IsValid.ShouldBeTrue();
    }

    [Fact]
    public void a_data_uri_is_refused_as_content()
    {
        var e = Events.ExposureDisclosed();
        e["data"]!["subscriptionId"] = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk";

        var errors = ErrorsOf(e);
        errors.ShouldBe([new FieldError("data.subscriptionId", "communication content (data: URI) is not audit data; send its hash")]);
        string.Join(" ", errors).ShouldNotContain("iVBOR");
    }

    [Fact]
    public void a_long_base64_blob_is_refused_as_content_and_a_hash_is_not()
    {
        var blob = Convert.ToBase64String(Enumerable.Range(0, 400).Select(i => (byte)(i * 31)).ToArray());
        var e = Events.IdentityVerified();
        e["data"]!["passportHash"] = blob;

        blob.Length.ShouldBeGreaterThan(CommunicationContent.MaxBase64Length);
        ErrorsOf(e).ShouldBe([new FieldError("data.passportHash", "communication content (base64 blob) is not audit data; send its hash")]);

        e["data"]!["passportHash"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("x"u8));
        Single(e).Items.ShouldHaveSingleItem().IsValid.ShouldBeTrue();
        e["data"]!["passportHash"] = new string('A', CommunicationContent.MaxBase64Length);
        Single(e).Items.ShouldHaveSingleItem().IsValid.ShouldBeTrue();
    }

    [Fact]
    public void content_in_a_list_item_is_refused()
    {
        var e = Events.ExposureDisclosed();
        e["data"]!["dataCategories"] = new JsonArray("session-event", "data:text/plain,hello");

        ErrorsOf(e).ShouldBe([new FieldError("data.dataCategories", "communication content (data: URI) is not audit data; send its hash")]);
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
    [InlineData("2026-11-28T10:15:00 +01:00")]
    [InlineData("2026-11-28 10:15:00Z")]
    [InlineData("2026-11-28T10:15:00+0100")]
    [InlineData("2026-11-28T10:15Z")]
    public void a_time_that_is_not_rfc3339_is_refused(string time)
    {
        var e = Events.ExposureDisclosed();
        e["time"] = time;

        ErrorsOf(e).ShouldContain(f => f.Field == "time");
    }

    [Theory]
    [InlineData("2026-11-28T10:15:00Z", "2026-11-28T10:15:00.0000000+00:00")]
    [InlineData("2026-11-28t11:15:00.123456789+01:00", "2026-11-28T10:15:00.1234568+00:00")] // .NET keeps 7 digits, rounded
    [InlineData("2026-11-28T08:15:00.5-02:00", "2026-11-28T10:15:00.5000000+00:00")]
    [InlineData("2026-11-28T10:15:00.1234567890Z", "2026-11-28T10:15:00.1234568+00:00")]
    public void an_rfc3339_time_is_read_in_utc(string time, string utc)
    {
        var e = Events.ExposureDisclosed();
        e["time"] = time;

        Single(e).Items.ShouldHaveSingleItem().Event!.Envelope.Time.ToString("O").ShouldBe(utc);
    }

    [Fact]
    public void a_message_without_a_body_is_refused_not_thrown()
    {
        var result = CloudEventReader.Read(CloudEventContentTypes.Single, null);

        result.BodyError.ShouldBe(new FieldError("$", "the message has no body"));
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
