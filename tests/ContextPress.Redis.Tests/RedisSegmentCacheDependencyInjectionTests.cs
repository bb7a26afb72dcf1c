using ContextPress.Redis.Tests.TestSupport;
using ContextPress.Segments;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ContextPress.Redis.Tests;

public class RedisSegmentCacheDependencyInjectionTests
{
    [Fact]
    public async Task AddContextPressRedisCache_ReplacesTheInMemoryCache_InEitherOrder()
    {
        string endpoint = await SharedRedis.RequireEndpointAsync();
        string ns = SharedRedis.UniqueNamespace("di");
        await using ServiceProvider before = new ServiceCollection()
            .AddSegmentCompression()
            .AddContextPressRedisCache(o => { o.Configuration = endpoint; o.Namespace = ns; })
            .BuildServiceProvider();
        await using ServiceProvider after = new ServiceCollection()
            .AddContextPressRedisCache(o => { o.Configuration = endpoint; o.Namespace = ns; })
            .AddSegmentCompression()
            .BuildServiceProvider();

        SegmentCompressor first = before.GetRequiredService<SegmentCompressor>();
        SegmentCompressor second = after.GetRequiredService<SegmentCompressor>();
        Assert.IsType<RedisSegmentCache>(first.Cache);
        Assert.IsType<RedisSegmentCache>(second.Cache);
        Assert.Same(first.Cache, before.GetRequiredService<ISegmentCache>());

        string document = Documents.Paragraphs(3, seed: 31);
        Assert.Equal(3, (await first.CompressAsync(document, cancellationToken: TestContext.Current.CancellationToken)).CacheMisses);
        Assert.Equal(3, (await second.CompressAsync(document, cancellationToken: TestContext.Current.CancellationToken)).CacheHits);
    }

    [Fact]
    public async Task AddContextPressRedisCache_UsesARegisteredMultiplexer()
    {
        string endpoint = await SharedRedis.RequireEndpointAsync();
        await using ConnectionMultiplexer shared = await ConnectionMultiplexer.ConnectAsync(endpoint);
        await using ServiceProvider services = new ServiceCollection()
            .AddSingleton<IConnectionMultiplexer>(shared)
            .AddContextPressRedisCache(o => o.Namespace = "shared-connection")
            .BuildServiceProvider();
        RedisSegmentCache cache = services.GetRequiredService<RedisSegmentCache>();
        Assert.Same(shared, cache.Multiplexer);
        await services.DisposeAsync();
        Assert.True(shared.IsConnected); // not owned, not disposed
    }

    [Fact]
    public void AddContextPressRedisCache_ValidatesOptions()
    {
        using ServiceProvider noConfiguration = new ServiceCollection().AddContextPressRedisCache(o => o.Namespace = "x").BuildServiceProvider();
        Assert.Throws<OptionsValidationException>(() => noConfiguration.GetRequiredService<ISegmentCache>());

        using ServiceProvider badNamespace = new ServiceCollection().AddContextPressRedisCache(o => { o.Configuration = "127.0.0.1:1"; o.Namespace = "{tag}"; }).BuildServiceProvider();
        Assert.Throws<OptionsValidationException>(() => badNamespace.GetRequiredService<ISegmentCache>());

        using ServiceProvider badTimeout = new ServiceCollection().AddContextPressRedisCache(o => { o.Configuration = "127.0.0.1:1"; o.OperationTimeout = TimeSpan.Zero; }).BuildServiceProvider();
        Assert.Throws<OptionsValidationException>(() => badTimeout.GetRequiredService<ISegmentCache>());

        using ServiceProvider tinyValues = new ServiceCollection().AddContextPressRedisCache(o => { o.Configuration = "127.0.0.1:1"; o.MaxValueBytes = 8; }).BuildServiceProvider();
        Assert.Throws<OptionsValidationException>(() => tinyValues.GetRequiredService<ISegmentCache>());
    }

    [Fact]
    public void CreateConfiguration_IsFailFast()
    {
        ConfigurationOptions configuration = new RedisSegmentCacheOptions { Configuration = "redis:6379,password=p", OperationTimeout = TimeSpan.FromMilliseconds(250) }.CreateConfiguration();
        Assert.False(configuration.AbortOnConnectFail);
        Assert.Same(BacklogPolicy.FailFast, configuration.BacklogPolicy);
        Assert.Equal(250, configuration.AsyncTimeout);
        Assert.Equal(1000, configuration.ConnectTimeout);
        Assert.Equal("p", configuration.Password);
    }
}
