using CommunityConnect.Api.Features.Intake;

namespace CommunityConnect.Tests.Intake;

/// <summary>Building and unit numbers as residents write them (TAXONOMY.md "Rules for the edge cases").</summary>
public sealed class PlaceReaderTests
{
    private static (string? Building, string? Unit) Read(string text)
    {
        var analysis = IntakeFixtures.Engine.Analyse(text);
        return (analysis.Building, analysis.Unit);
    }

    [Theory]
    [InlineData("5#楼道灯不亮", "5", null)]
    [InlineData("5#502卫生间漏水", "5", "502")]
    [InlineData("7-702 可视对讲没声音", "7", "702")]
    [InlineData("12-1-1101 门禁坏了", "12", "1101")]
    [InlineData("二十三幢401下水道堵了", "23", "401")]
    [InlineData("66弄9号402马桶漏水", "9", "402")]
    [InlineData("隔壁603天天唱K", null, "603")]
    [InlineData("16幢2单元1602对讲坏了", "16", "1602")]
    [InlineData("3号楼502天花板滴水", "3", "502")]
    [InlineData("5栋201水管漏了", "5", "201")]
    [InlineData("５号楼１２０３室漏水", "5", "1203")]
    [InlineData("十五号楼的电梯坏了", "15", null)]
    [InlineData("廿一号楼单元门坏了", "21", null)]
    [InlineData("第5栋电梯异响", "5", null)]
    [InlineData("21号1203室楼上漏水", "21", "1203")]
    [InlineData("15号301水龙头关不紧", "15", "301")]
    [InlineData("梅园新村247号楼道灯坏了", "247", null)]
    [InlineData("我是楼下六零二的,楼上天天跳绳", null, "602")]
    [InlineData("我家是502的那个信报箱坏了", null, "502")]
    [InlineData("9號樓702室天花板滴水", "9", "702")]
    [InlineData("5楼201的水管漏了", "5", "201")]
    public void BuildingAndUnitAreReadInTheFormsResidentsUse(string text, string? building, string? unit) =>
        Assert.Equal((building, unit), Read(text));

    [Theory]
    [InlineData("4楼楼道灯坏了")]
    [InlineData("十八楼的电梯按钮没反应")]
    [InlineData("2单元的单元门关不上")]
    [InlineData("3楼到4楼之间的灯不亮")]
    public void AFloorOrAStairwayIsNeitherBuildingNorUnit(string text) => Assert.Equal((null, null), Read(text));

    [Fact]
    public void AFloorAfterABuildingIsNotAUnit() => Assert.Equal(("8", null), Read("8号楼3楼到4楼之间的楼道灯坏了"));

    [Theory]
    [InlineData("3月5号要停水吗")]
    [InlineData("B区135号车位的地锁坏了")]
    [InlineData("地铁2号线那边在施工")]
    [InlineData("我电话13812345678,电梯坏了")]
    [InlineData("物业费一年2400元太贵了")]
    [InlineData("住了2019年到现在")]
    [InlineData("我妈82了,一个人住")]
    public void DatesSpacesLinesPhonesAndMoneyAreNotPlaces(string text) => Assert.Equal((null, null), Read(text));

    [Fact]
    public void ACorrectionKeepsTheBuildingThatIsMeant()
    {
        var analysis = IntakeFixtures.Engine.Analyse("不是3号楼,是5号楼的电梯坏了");
        Assert.Equal("5", analysis.Building);
        Assert.True(analysis.Correction);
        Assert.Contains(analysis.Places, p => p is { Value: "3", Negated: true });
    }

    [Theory]
    [InlineData(502, 3, true)]
    [InlineData(1203, 4, true)]
    [InlineData(2003, 4, true)]
    [InlineData(2400, 4, false)]
    [InlineData(135, 3, false)]
    [InlineData(99, 2, false)]
    public void ARoomNumberIsAFloorAndADoor(int value, int digits, bool plausible) =>
        Assert.Equal(plausible, PlaceReader.IsPlausibleRoom(value, digits));
}
