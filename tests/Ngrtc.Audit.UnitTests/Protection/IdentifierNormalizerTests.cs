using Ngrtc.Audit.Contracts.Catalogue;
using Ngrtc.Audit.Protection;

namespace Ngrtc.Audit.UnitTests.Protection;

public class IdentifierNormalizerTests
{
    private static readonly IdentifierNormalizer French = new(new NormalizerOptions { DefaultCountryCode = "33" });
    private static readonly IdentifierNormalizer NoCountry = IdentifierNormalizer.Default;

    [Theory]
    [InlineData("tel:+33612345678")]
    [InlineData("tel:+33-6-12-34-56-78")]
    [InlineData("tel:+33.6.12.34.56.78")]
    [InlineData("tel:+33 (6) 12 34 56 78")]
    [InlineData("TEL:+33612345678")]
    [InlineData("tel:+33-6-12-34-56-78;phone-context=+33")]
    [InlineData("tel:+33612345678;phone-context=ims.mnc001.mcc208.3gppnetwork.org")]
    [InlineData("tel:+33612345678;verstat=TN-Validation-Passed")]
    [InlineData("tel:0612345678;phone-context=+33")]
    [InlineData("tel:06-12-34-56-78;phone-context=ims.mnc001.mcc208.3gppnetwork.org")]
    [InlineData("+33 6 12 34 56 78")]
    [InlineData("+33612345678")]
    [InlineData("0033612345678")]
    [InlineData("00 33 6 12 34 56 78")]
    [InlineData("06 12 34 56 78")]
    [InlineData("06.12.34.56.78")]
    [InlineData("(06) 12-34-56-78")]
    [InlineData("33612345678")]
    [InlineData("msisdn-33612345678")]
    [InlineData("MSISDN-33612345678")]
    [InlineData("sip:+33612345678@ims.mnc001.mcc208.3gppnetwork.org;user=phone")]
    [InlineData("sip:+33-6-12-34-56-78@IMS.example.org;user=phone")]
    [InlineData("sip:+33612345678@ims.example.org")]
    [InlineData("sips:+33612345678@ims.example.org:5061;user=phone")]
    [InlineData("sip:0612345678;phone-context=ims.example.org@ims.example.org;user=phone")]
    [InlineData("sip:%2B33612345678@ims.example.org;user=phone")]
    [InlineData("sip:+33612345678:secret@ims.example.org;user=phone")]
    [InlineData("\"Anna\" <sip:+33612345678@ims.example.org;user=phone>;tag=8a1f")]
    [InlineData("<tel:+33612345678>")]
    [InlineData("  tel:+33612345678  ")]
    public void every_spelling_of_one_number_is_one_e164_number(string spelling)
    {
        var normalized = French.Normalize(spelling, IdentifierKind.PublicUserIdentity);

        normalized.ShouldBe(new NormalizedIdentifier(IdentifierForm.Address, "+33612345678"));
        French.Normalize(spelling, IdentifierKind.TelephoneNumber).ShouldBe(normalized);
    }

    [Fact]
    public void different_numbers_stay_different()
    {
        string[] numbers = ["tel:+33612345678", "tel:+33612345679", "tel:+3361234567", "tel:+336123456780", "tel:+44612345678", "tel:+33612345678;ext=12", "tel:+33612345678;ext=13"];

        numbers.Select(n => French.NormalizeValue(n, IdentifierKind.TelephoneNumber)).Distinct().Count().ShouldBe(numbers.Length);
    }

    [Fact]
    public void an_extension_is_kept_because_it_is_another_person_behind_one_number()
    {
        French.NormalizeValue("tel:+33-1-44-42-70-00;ext=4-2", IdentifierKind.TelephoneNumber).ShouldBe("+33144427000;ext=42");
        French.NormalizeValue("tel:+33144427000;EXT=42;isub=1234", IdentifierKind.TelephoneNumber).ShouldBe("+33144427000;ext=42");
    }

    [Fact]
    public void national_numbers_without_a_configured_country_stay_national_and_do_not_meet_their_e164_form()
    {
        NoCountry.NormalizeValue("06 12 34 56 78", IdentifierKind.TelephoneNumber).ShouldBe("tel:0612345678");
        NoCountry.NormalizeValue("0033 6 12 34 56 78", IdentifierKind.TelephoneNumber).ShouldBe("+33612345678");
        NoCountry.NormalizeValue("tel:0612345678;phone-context=+33", IdentifierKind.TelephoneNumber).ShouldBe("+33612345678");
    }

    [Fact]
    public void local_numbers_with_a_context_stay_local_with_their_context_canonical()
    {
        French.NormalizeValue("tel:7042;phone-context=IMS.Example.org.", IdentifierKind.TelephoneNumber).ShouldBe("tel:7042;phone-context=ims.example.org");
        French.NormalizeValue("tel:70-42;phone-context=+33-1-4442", IdentifierKind.TelephoneNumber).ShouldBe("tel:7042;phone-context=+3314442");
        French.NormalizeValue("tel:*21#;phone-context=ims.example.org", IdentifierKind.TelephoneNumber).ShouldBe("tel:*21#;phone-context=ims.example.org");
    }

    [Fact]
    public void the_trunk_and_international_prefixes_are_configurable()
    {
        var us = new IdentifierNormalizer(new NormalizerOptions { DefaultCountryCode = "1", TrunkPrefix = "1", InternationalPrefix = "011" });

        us.NormalizeValue("011 44 20 7946 0958", IdentifierKind.TelephoneNumber).ShouldBe("+442079460958");
        us.NormalizeValue("1 (212) 555-0100", IdentifierKind.TelephoneNumber).ShouldBe("+12125550100");
        Should.Throw<ArgumentException>(() => new IdentifierNormalizer(new NormalizerOptions { TrunkPrefix = "" }));
        Should.Throw<ArgumentException>(() => new IdentifierNormalizer(new NormalizerOptions { DefaultCountryCode = "+33" }));
    }

    [Theory]
    [InlineData("sip:Alice@IMS.Example.ORG")]
    [InlineData("SIP:Alice@ims.example.org")]
    [InlineData("sips:Alice@ims.example.org")]
    [InlineData("sip:Alice@ims.example.org:5060")]
    [InlineData("sips:Alice@ims.example.org:5061")]
    [InlineData("sip:Alice@ims.example.org.")]
    [InlineData("sip:Alice@ims.example.org;transport=tcp;lr")]
    [InlineData("sip:Alice@ims.example.org;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6")]
    [InlineData("sip:Alice@ims.example.org?Subject=hello&Priority=urgent")]
    [InlineData("sip:Alice:password@ims.example.org")]
    [InlineData("sip:%41lice@ims.example.org")]
    [InlineData("\"Alice Liddell\" <sip:Alice@ims.example.org>;tag=1928301774")]
    public void every_spelling_of_one_sip_uri_is_one_form(string spelling) =>
        French.NormalizeValue(spelling, IdentifierKind.PublicUserIdentity).ShouldBe("sip:Alice@ims.example.org");

    [Fact]
    public void the_sip_user_part_is_case_sensitive_and_a_non_default_port_is_kept()
    {
        French.NormalizeValue("sip:alice@ims.example.org", IdentifierKind.PublicUserIdentity).ShouldBe("sip:alice@ims.example.org");
        French.NormalizeValue("sip:Alice@ims.example.org:5070", IdentifierKind.PublicUserIdentity).ShouldBe("sip:Alice@ims.example.org:5070");
        French.NormalizeValue("sips:Alice@ims.example.org:5060", IdentifierKind.PublicUserIdentity).ShouldBe("sip:Alice@ims.example.org:5060");
        French.NormalizeValue("sip:Alice@[2001:DB8:0:0:0:0:0:1]:5060", IdentifierKind.PublicUserIdentity).ShouldBe("sip:Alice@[2001:db8::1]");
        French.NormalizeValue("sip:Alice@192.000.002.010", IdentifierKind.PublicUserIdentity).ShouldBe("sip:Alice@192.0.2.10");
    }

    [Fact]
    public void a_sip_user_part_of_national_digits_without_user_phone_is_a_user_name()
    {
        French.NormalizeValue("sip:0612345678@ims.example.org", IdentifierKind.PublicUserIdentity).ShouldBe("sip:0612345678@ims.example.org");
        French.NormalizeValue("sip:0612345678@ims.example.org;user=phone", IdentifierKind.PublicUserIdentity).ShouldBe("+33612345678");
    }

    [Fact]
    public void a_sip_uri_with_a_local_number_that_cannot_be_made_global_keeps_the_number_canonical()
    {
        French.NormalizeValue("sip:70-42;phone-context=IMS.example.org@IMS.example.org;user=phone", IdentifierKind.PublicUserIdentity)
            .ShouldBe("sip:7042;phone-context=ims.example.org@ims.example.org");
    }

    [Theory]
    [InlineData("sip:+491555001234@ims.example.org", "+491555001234")]
    [InlineData("tel:+491555001234", "+491555001234")]
    [InlineData("msisdn-491555001234", "+491555001234")]
    [InlineData("extid-Anna.Schmidt@ACME-Logistics.example.ORG", "extid-Anna.Schmidt@acme-logistics.example.org")]
    [InlineData("EXTID-user@Example.org", "extid-user@example.org")]
    public void gpsi_forms(string gpsi, string canonical)
    {
        French.NormalizeValue(gpsi, IdentifierKind.Gpsi).ShouldBe(canonical);
        French.NormalizeValue(gpsi, IdentifierKind.PublicUserIdentity).ShouldBe(canonical);
    }

    [Theory]
    [InlineData("234150999999999@ims.mnc015.mcc234.3gppnetwork.org")]
    [InlineData("234150999999999@IMS.MNC015.MCC234.3GPPNETWORK.ORG")]
    [InlineData("234150999999999@ims.mnc015.mcc234.3gppnetwork.org.")]
    [InlineData(" 234150999999999@ims.mnc015.mcc234.3gppnetwork.org ")]
    public void an_impi_realm_is_lower_case(string impi) =>
        French.NormalizeValue(impi, IdentifierKind.PrivateUserIdentity).ShouldBe("234150999999999@ims.mnc015.mcc234.3gppnetwork.org");

    [Fact]
    public void e_mail_like_ids_keep_their_local_part_and_lower_case_their_domain()
    {
        French.NormalizeValue("Anna.Schmidt@ACME-Logistics.Example.org", IdentifierKind.ThirdPartyId).ShouldBe("Anna.Schmidt@acme-logistics.example.org");
        French.NormalizeValue("anna.schmidt@acme-logistics.example.org", IdentifierKind.ThirdPartyId).ShouldBe("anna.schmidt@acme-logistics.example.org");
        French.NormalizeValue("pki-contact@ACME.example.org", IdentifierKind.ContactPerson).ShouldBe("pki-contact@acme.example.org");
    }

    [Fact]
    public void an_opaque_third_party_id_is_trimmed_only()
    {
        French.Normalize("  EMP-00815 ", IdentifierKind.ThirdPartyId).ShouldBe(new NormalizedIdentifier(IdentifierForm.Address, "EMP-00815"));
        French.Normalize("  EMP-00815 ", IdentifierKind.OpaqueId).ShouldBe(new NormalizedIdentifier(IdentifierForm.OpaqueId, "EMP-00815"));
        French.Normalize(" Avatar-017 ", IdentifierKind.AvatarId).ShouldBe(new NormalizedIdentifier(IdentifierForm.AvatarId, "Avatar-017"));
    }

    [Theory]
    [InlineData("Anna Schmidt")]
    [InlineData("  Anna   Schmidt ")]
    [InlineData("ANNA SCHMIDT")]
    [InlineData("Anna\tSchmidt")]
    [InlineData("Anna\u00A0Schmidt")]
    [InlineData("\"Anna Schmidt\"")]
    [InlineData("Anna\u200B Schmidt")]
    public void display_name_spellings_meet(string spelling) =>
        French.Normalize(spelling, IdentifierKind.DisplayName).ShouldBe(new NormalizedIdentifier(IdentifierForm.DisplayName, "anna schmidt"));

    [Fact]
    public void display_names_are_unicode_nfc()
    {
        IdentifierNormalizer.UnicodeNormalizationAvailable.ShouldBeTrue("the build must not use InvariantGlobalization");
        var composed = French.NormalizeValue("J\u00FCrgen M\u00FCller", IdentifierKind.DisplayName);
        var decomposed = French.NormalizeValue("Ju\u0308rgen Mu\u0308ller", IdentifierKind.DisplayName);

        decomposed.ShouldBe(composed);
        composed.ShouldBe("j\u00FCrgen m\u00FCller");
        French.NormalizeValue("J\u00FCrgen M\u00FCller", IdentifierKind.DisplayName).ShouldNotBe(French.NormalizeValue("Jurgen Muller", IdentifierKind.DisplayName));
    }

    [Fact]
    public void a_presented_identity_is_an_address_when_it_has_an_address_syntax_and_a_display_name_otherwise()
    {
        French.Normalize("anna.schmidt@acme-logistics.example.org", IdentifierKind.PresentedIdentity).Form.ShouldBe(IdentifierForm.Address);
        French.Normalize("+33 6 12 34 56 78", IdentifierKind.PresentedIdentity).ShouldBe(new NormalizedIdentifier(IdentifierForm.Address, "+33612345678"));
        French.Normalize("Anna Schmidt (ACME)", IdentifierKind.PresentedIdentity).ShouldBe(new NormalizedIdentifier(IdentifierForm.DisplayName, "anna schmidt (acme)"));
        French.Normalize("Anna @ ACME", IdentifierKind.ContactPerson).Form.ShouldBe(IdentifierForm.DisplayName);
    }

    [Theory]
    [InlineData("192.0.2.1", "192.0.2.1")]
    [InlineData(" 192.000.002.001 ", "192.0.2.1")]
    [InlineData("010.0.0.1", "10.0.0.1")]
    [InlineData("2001:DB8:0:0:0:0:0:1", "2001:db8::1")]
    [InlineData("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1")]
    [InlineData("[2001:db8::1]", "2001:db8::1")]
    [InlineData("fe80::1%eth0", "fe80::1")]
    [InlineData("::ffff:192.0.2.1", "192.0.2.1")]
    [InlineData("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1")]
    [InlineData("not-an-address", "not-an-address")]
    [InlineData("256.1.1.1", "256.1.1.1")]
    public void ip_addresses_in_canonical_text(string address, string canonical) =>
        French.Normalize(address, IdentifierKind.IpAddress).ShouldBe(new NormalizedIdentifier(IdentifierForm.IpAddress, canonical));

    [Theory]
    [InlineData("sha-256 AB:CD:EF:01")]
    [InlineData("SHA-256 ab:cd:ef:01")]
    [InlineData("sha-256   abcdef01")]
    [InlineData("a=fingerprint:sha-256 AB:cd:EF:01")]
    public void dtls_fingerprints_in_rfc_8122_form(string fingerprint) =>
        French.NormalizeValue(fingerprint, IdentifierKind.DtlsFingerprint).ShouldBe("sha-256 AB:CD:EF:01");

    [Fact]
    public void dtls_fingerprints_of_other_hashes_or_other_bytes_differ()
    {
        French.NormalizeValue("sha-1 AB:CD:EF:01", IdentifierKind.DtlsFingerprint).ShouldNotBe(French.NormalizeValue("sha-256 AB:CD:EF:01", IdentifierKind.DtlsFingerprint));
        French.NormalizeValue("sha-256 AB:CD:EF:02", IdentifierKind.DtlsFingerprint).ShouldNotBe(French.NormalizeValue("sha-256 AB:CD:EF:01", IdentifierKind.DtlsFingerprint));
    }

    [Fact]
    public void the_same_text_in_different_namespaces_does_not_collide()
    {
        var avatar = French.Normalize("anna", IdentifierKind.AvatarId);
        var name = French.Normalize("anna", IdentifierKind.DisplayName);
        var opaque = French.Normalize("anna", IdentifierKind.OpaqueId);

        new[] { avatar, name, opaque }.Distinct().Count().ShouldBe(3);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("sip:")]
    [InlineData("sip:@")]
    [InlineData("tel:")]
    [InlineData("tel:+")]
    [InlineData("msisdn-")]
    [InlineData("<>")]
    [InlineData("<sip:")]
    [InlineData("sip:[::1")]
    [InlineData("sip:a@b:99999999999")]
    [InlineData("%%%")]
    [InlineData("sip:%4")]
    [InlineData("\"")]
    [InlineData("a=fingerprint:")]
    public void normalisation_never_throws(string value)
    {
        foreach (var kind in Enum.GetValues<IdentifierKind>())
        {
            Should.NotThrow(() => French.Normalize(value, kind));
        }
    }

    [Fact]
    public void every_catalogue_category_has_a_kind()
    {
        PersonalDataCategories.All.Select(IdentifierKinds.ForCategory).Distinct().Count().ShouldBe(PersonalDataCategories.All.Count);
        Should.Throw<ArgumentOutOfRangeException>(() => IdentifierKinds.ForCategory("shoe-size"));
    }

    [Fact]
    public void every_catalogue_example_normalises_to_the_same_form_as_its_other_spellings()
    {
        // The catalogue's own examples: the caller in a session event (a SIP URI) and in a PASSporT (a number) meet.
        French.Normalize("sip:+491555001234@ims.example.org", IdentifierKind.PublicUserIdentity)
            .ShouldBe(French.Normalize("+491555001234", IdentifierKind.TelephoneNumber));
        French.Normalize("tel:+491555001234", IdentifierKind.PublicUserIdentity)
            .ShouldBe(French.Normalize("sip:+491555001234@ims.example.org", IdentifierKind.PublicUserIdentity));
    }

    [Fact]
    public void a_normalised_identifier_does_not_print_its_value()
    {
        var normalized = French.Normalize("tel:+33612345678", IdentifierKind.TelephoneNumber);

        normalized.ToString().ShouldNotContain("612345678");
        $"{normalized}".ShouldNotContain("612345678");
    }
}
