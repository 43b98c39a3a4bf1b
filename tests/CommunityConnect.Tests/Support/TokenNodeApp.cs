using CommunityConnect.Api.Infrastructure.WeChat;
using CommunityConnect.Tests.SubscribeMessages;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CommunityConnect.Tests.Support;

/// <summary>
/// One api node of an installation of several: its own host (web role, its log captured) that sends
/// subscribe messages. The first node makes the SQLite file, the keys beside it and the fake WeChat
/// server; <see cref="NextNode"/> makes another host on the same file, keys and fake. All nodes share
/// one clock of token lifetimes and leases (a <see cref="FakeTimeProvider"/> at <see cref="TestClock.Start"/>),
/// as synchronised machines would.
/// </summary>
public sealed class TokenNodeApp : SubscribeMessageApp
{
    private readonly TokenNodeApp? _first;

    public TokenNodeApp()
    {
        TokenClock = new FakeTimeProvider(TestClock.Start);
        Settings["Node:Role"] = "web";
        // Two nodes on one SQLite file on either pass (SharedAccessTokenPostgresTests is the PostgreSQL twin).
        Settings["Database:Provider"] = "sqlite";
    }

    private TokenNodeApp(TokenNodeApp first) : this()
    {
        _first = first;
        TokenClock = first.TokenClock;
        Settings["Database:Path"] = first.DatabasePath;
        Settings["Seed:Demo"] = "false";
    }

    /// <summary>The clock of access-token lifetimes and leases, shared by the nodes.</summary>
    public FakeTimeProvider TokenClock { get; }

    /// <summary>The fake WeChat server every node talks to.</summary>
    public FakeWeChatServer Fake => _first?.WeChat ?? WeChat;

    /// <summary>Another node on this node's database, keys and fake WeChat server (initialise it after this one has started).</summary>
    public TokenNodeApp NextNode() => new(_first ?? this);

    public override async Task InitializeAsync()
    {
        if (_first is null)
        {
            await base.InitializeAsync();
            return;
        }
        Settings["WeChat:BaseUrl"] = _first.WeChat.BaseUrl;
        Settings["WeChat:AppId"] = FakeWeChatServer.AppId;
        Settings["WeChat:AppSecret"] = FakeWeChatServer.AppSecret;
    }

    protected override void ConfigureMore(IWebHostBuilder builder)
    {
        base.ConfigureMore(builder);
        builder.ConfigureTestServices(services => services.AddKeyedSingleton<TimeProvider>(WeChatAccessToken.ClockKey, TokenClock));
    }
}
