using Ngrtc.Audit.Protection;
using Ngrtc.Audit.Service.Protection;

namespace Ngrtc.Audit.UnitTests;

public class PseudonymizerTests
{
    private static readonly Pseudonymizer Pseudonyms = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    [Theory]
    [InlineData("tel:+49-1555-000001")]
    [InlineData("+49 1555 000001")]
    [InlineData("tel:+491555000001;phone-context=example")]
    [InlineData("491555000001")]
    public void spellings_of_one_number_map_to_one_pseudonym(string spelling)
    {
        Pseudonyms.Pseudonymize("op-1", spelling, IdentifierKind.PublicUserIdentity).ShouldBe(Pseudonyms.Pseudonymize("op-1", "tel:+491555000001", IdentifierKind.TelephoneNumber));
    }

    [Fact]
    public void sip_uris_are_compared_with_the_host_case_insensitive_and_without_parameters()
    {
        Pseudonyms.Pseudonymize("op-1", "sip:Alice@IMS.Example.org;transport=tcp", IdentifierKind.PublicUserIdentity)
            .ShouldBe(Pseudonyms.Pseudonymize("op-1", "sip:Alice@ims.example.org", IdentifierKind.PublicUserIdentity));
    }

    [Fact]
    public void a_user_phone_sip_uri_is_its_number()
    {
        Pseudonyms.Pseudonymize("op-1", "sip:+49-1555-000001@ims.example.org;user=phone", IdentifierKind.PublicUserIdentity)
            .ShouldBe(Pseudonyms.Pseudonymize("op-1", "tel:+491555000001", IdentifierKind.TelephoneNumber));
    }

    [Fact]
    public void the_same_person_in_two_tenants_or_under_two_keys_is_not_linkable()
    {
        var other = new Pseudonymizer(Enumerable.Range(2, 32).Select(i => (byte)i).ToArray());

        Pseudonyms.Pseudonymize("op-1", "tel:+491555000001", IdentifierKind.TelephoneNumber).ShouldNotBe(Pseudonyms.Pseudonymize("op-2", "tel:+491555000001", IdentifierKind.TelephoneNumber));
        Pseudonyms.Pseudonymize("op-1", "tel:+491555000001", IdentifierKind.TelephoneNumber).ShouldNotBe(other.Pseudonymize("op-1", "tel:+491555000001", IdentifierKind.TelephoneNumber));
    }

    [Fact]
    public void a_pseudonym_does_not_contain_the_identifier()
    {
        var pseudonym = Pseudonyms.Pseudonymize("op-1", "tel:+491555000001", IdentifierKind.TelephoneNumber);

        pseudonym.Length.ShouldBe(43);
        pseudonym.ShouldNotContain("1555000001");
    }

    [Fact]
    public void a_short_key_is_refused_without_echoing_it()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new PseudonymOptions { Key = Convert.ToBase64String(new byte[16]) });

        var error = Should.Throw<InvalidOperationException>(() => new Pseudonymizer(options));
        error.Message.ShouldContain("at least 32");
        error.Message.ShouldNotContain(options.Value.Key);
    }
}
