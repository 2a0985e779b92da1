using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Ngrtc.Audit.Service.Hosting;

namespace Ngrtc.Audit.UnitTests;

public class AccessTests
{
    [Fact]
    public void the_filter_is_canonical_sorted_by_name_then_value_and_percent_encoded()
    {
        var canonical = AccessAudit.Canonical([("subject", "tel:+49 1555"), ("b", "2"), ("a", "z"), ("a", "y")]);

        canonical.ShouldBe("a=y&a=z&b=2&subject=tel%3A%2B49%201555");
        // What sha256sum says of the same text: a reader of the access log recomputes the digest of a filter it knows.
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))).Length.ShouldBe(64);
    }

    [Theory]
    [InlineData("dsar-2026-113", true)]
    [InlineData("dpv:LegalCompliance (case 42)", true)]
    [InlineData("", false)]
    [InlineData("call to +4915550000123", false)]
    [InlineData("alice@example.org", false)]
    [InlineData("zurück", false)]
    public void a_purpose_is_a_reason_or_case_never_an_address_or_number(string purpose, bool accepted)
    {
        (AccessAudit.PurposeProblem(purpose) is null).ShouldBe(accepted);
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("8h", 28800)]
    [InlineData("1d", 86400)]
    [InlineData("01:00:00", 3600)]
    public void the_token_command_reads_lifetimes(string text, int seconds)
    {
        TokenCommand.ParseLifetime(text).ShouldBe(TimeSpan.FromSeconds(seconds));
    }

    [Theory]
    [InlineData("31d")]
    [InlineData("-5m")]
    [InlineData("soon")]
    public void the_token_command_refuses_odd_lifetimes(string text)
    {
        TokenCommand.ParseLifetime(text).ShouldBeNull();
    }

    [Fact]
    public void a_minted_token_carries_the_claims_the_service_reads()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var options = new AuthOptions
        {
            Issuer = "iss-1",
            Audience = "aud-1",
            SigningKeys = [new AuthKeyOptions { KeyId = "k1", Pem = key.ExportPkcs8PrivateKeyPem() }],
        };
        options.Problems().ShouldBeEmpty();
        var now = DateTimeOffset.UtcNow;

        var token = new JsonWebToken(AccessTokens.Mint(options, new TokenClaims("nf-7", [Roles.Emitter], "op-1", "urn:ngrtc:nf:DCSF:dcsf-1"), TimeSpan.FromMinutes(5), now));

        token.Alg.ShouldBe("ES256");
        token.Kid.ShouldBe("k1");
        token.Issuer.ShouldBe("iss-1");
        token.Audiences.ShouldBe(["aud-1"]);
        token.Subject.ShouldBe("nf-7");
        token.GetClaim(AccessClaims.Tenant).Value.ShouldBe("op-1");
        token.GetClaim(AccessClaims.Source).Value.ShouldBe("urn:ngrtc:nf:DCSF:dcsf-1");
        token.Claims.Where(c => c.Type == AccessClaims.Roles).Select(c => c.Value).ShouldBe([Roles.Emitter]);
        token.ValidTo.ShouldBe(now.AddMinutes(5).UtcDateTime, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void without_issuer_audience_or_key_the_configuration_names_what_is_missing()
    {
        new AuthOptions().Problems().ShouldBe([
            "Ngrtc:Auth:Audience is required",
            "Ngrtc:Auth:Issuer (or an Authority) is required",
            "Ngrtc:Auth needs an Authority, a JwksUrl or SigningKeys (there is no default key outside Development)",
        ]);
    }

    [Fact]
    public void a_public_key_verifies_but_cannot_mint()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var options = new AuthOptions { Issuer = "i", Audience = "a", SigningKeys = [new AuthKeyOptions { KeyId = "pub", Pem = key.ExportSubjectPublicKeyInfoPem() }] };

        TokenKeys.Load(options).ShouldHaveSingleItem().SigningAlgorithm.ShouldBeNull();
        Should.Throw<InvalidOperationException>(() => AccessTokens.Credentials(options));
    }
}
