using System.Net;
using Ngrtc.Audit.Service.Hosting;

namespace Ngrtc.Audit.IntegrationTests;

public class QueryAndHealthTests(ServiceFixture service)
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task health_endpoints_answer_healthy(string path)
    {
        using var client = service.Anonymous();

        var response = await client.GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("Healthy");
    }

    [Fact]
    public async Task the_register_is_the_tokens_tenant_and_another_tenant_is_refused_naming_the_parameter()
    {
        var tenant = ServiceFixture.NewTenant();
        using var client = service.Client(Roles.PrivacyOfficer, tenant);

        var own = await client.GetAsync("/api/v1/exposure/recipients");
        var other = await client.GetAsync($"/api/v1/exposure/recipients?tenant={ServiceFixture.NewTenant()}");

        own.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await own.Json()).GetProperty("tenant").GetString().ShouldBe(tenant);
        other.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        other.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await other.Json()).GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("tenant");
    }

    [Fact]
    public async Task an_unknown_recipient_is_a_404_problem()
    {
        using var client = service.Client(Roles.PrivacyOfficer, ServiceFixture.NewTenant());

        var response = await client.GetAsync("/api/v1/exposure/recipients/nobody");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task the_hangfire_dashboard_is_for_admins_only()
    {
        var tenant = ServiceFixture.NewTenant();
        using var anonymous = service.Anonymous();
        using var officer = service.Client(Roles.PrivacyOfficer, tenant);
        using var admin = service.Client(Roles.Admin, tenant);

        (await anonymous.GetAsync("/hangfire")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await officer.GetAsync("/hangfire")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await admin.GetAsync("/hangfire")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task an_admin_browser_opens_the_dashboard_with_the_session_cookie_only_there()
    {
        using var admin = service.Client(Roles.Admin, ServiceFixture.NewTenant());
        var session = await admin.PostAsync("/api/v1/admin/dashboard-session", null);
        session.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var cookie = session.Headers.GetValues("Set-Cookie").Single();
        cookie.ShouldContain("httponly", Case.Insensitive);
        cookie.ShouldContain("samesite=strict", Case.Insensitive);
        cookie.ShouldContain("path=/hangfire", Case.Insensitive);

        using var browser = service.Anonymous();
        browser.DefaultRequestHeaders.Add("Cookie", cookie.Split(';')[0]);
        (await browser.GetAsync("/hangfire")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await browser.GetAsync("/api/v1/schemas")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
