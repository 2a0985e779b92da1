using System.Net;

namespace Ngrtc.Audit.IntegrationTests;

public class QueryAndHealthTests(ServiceFixture service)
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task health_endpoints_answer_healthy(string path)
    {
        using var client = service.Client();

        var response = await client.GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBe("Healthy");
    }

    [Fact]
    public async Task the_register_needs_a_tenant_and_says_which_parameter()
    {
        using var client = service.Client();

        var response = await client.GetAsync("/api/v1/exposure/recipients");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Json()).GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("tenant");
    }

    [Fact]
    public async Task an_unknown_recipient_is_a_404_problem()
    {
        using var client = service.Client();

        var response = await client.GetAsync($"/api/v1/exposure/recipients/nobody?tenant={ServiceFixture.NewTenant()}");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task the_hangfire_dashboard_is_closed_outside_a_local_development_browser()
    {
        using var client = service.Client();

        var response = await client.GetAsync("/hangfire");

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
