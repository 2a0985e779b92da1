using Ngrtc.Audit.Service.Hosting;
using Npgsql;

namespace Ngrtc.Audit.UnitTests;

public class ConnectionDefaultsTests
{
    [Fact]
    public void Auto_preparation_is_turned_on_when_the_connection_string_is_silent()
    {
        var result = new NpgsqlConnectionStringBuilder(AuditStore.WithDefaults("Host=db.example;Database=audit;Username=svc"));

        Assert.Equal(AuditStore.DefaultMaxAutoPrepare, result.MaxAutoPrepare);
        Assert.Equal("db.example", result.Host);
        Assert.Equal("audit", result.Database);
        Assert.Equal("svc", result.Username);
    }

    [Theory]
    [InlineData("Host=db.example;Max Auto Prepare=0", 0)]
    [InlineData("Host=db.example;maxautoprepare=10", 10)]
    public void A_configured_auto_preparation_is_kept(string connectionString, int expected)
    {
        var result = new NpgsqlConnectionStringBuilder(AuditStore.WithDefaults(connectionString));

        Assert.Equal(expected, result.MaxAutoPrepare);
    }
}
