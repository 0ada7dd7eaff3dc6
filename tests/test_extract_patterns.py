"""A table of real report patterns and what the extractor must propose for each.

Every row is a phrase of the kind found in Chinese S&T work reports and
plans, with the facts it states as (value, unit, measure, status, qualifier)
and, for ranges, value_high. The traps at the end state no fact and must
yield nothing: words that contain numerals, names of plans, dates, document
numbers, enumerations, ordinals and list announcements.
"""

from __future__ import annotations

import pytest

from cityscience.extract import extract


def facts(text: str, year: int | None = 2014) -> list[tuple]:
    df = extract(text, year=year)
    out = []
    for _, r in df.iterrows():
        fact = (float(r["value"]), r["unit"], r["measure"], r["status"], r["qualifier"])
        if r["qualifier"] == "range":
            fact = (*fact, float(r["value_high"]))
        out.append(fact)
    return out


L, A, E, T = "level", "actual", "estimate", "target"
X = "exact"

PATTERNS: list[tuple[str, str, list[tuple]]] = [
    # -- numbers and units ----------------------------------------------------------------------
    ("level and growth", "发明专利申请量达12957件,同比增长32.1%。",
     [(12957, "件", L, A, X), (32.1, "%", "yoy_pct", A, X)]),
    ("decimal in 亿元", "实现高新技术产业产值5239.9亿元。", [(5239.9, "亿元", L, A, X)]),
    ("thousands separator", "全年专利授权2,356件。", [(2356, "件", L, A, X)]),
    ("two separators", "服务企业达到12,345,678家。", [(12345678, "家", L, A, X)]),
    ("comma ending a clause is not a separator", "立项12,80家企业获得资助。", [(80, "家", L, A, X)]),
    ("full-width digits", "发明专利授权量达２８３２件。", [(2832, "件", L, A, X)]),
    ("full-width percent and decimal point", "技术交易额同比增长１５．３％。", [(15.3, "%", "yoy_pct", A, X)]),
    ("Chinese numeral tens", "新认定国家高新技术企业四十六家。", [(46, "家", L, A, X)]),
    ("两 before a classifier", "今年共组织两场科技成果拍卖会。", [(2, "场", L, A, X)]),
    ("Chinese numeral with 余", "集聚高端电子企业三十余家。", [(30, "家", L, A, "approx")]),
    ("近百", "开展项目路演活动近百场次。", [(100, "场次", L, A, "approx")]),
    ("一成多", "占全国通过企业数一成多。", [(1, "成", L, A, "approx")]),
    ("十分之一", "14家众创空间纳入国家孵化器管理体系,占全国十分之一。",
     [(14, "家", L, A, X), (0.1, "分之", L, A, X)]),
    ("万 for 万元", "设立6000万专项经费。", [(6000, "万元", L, A, X)]),
    ("万人年 by longest match", "全社会R&D活动人员达到12万人年。", [(12, "万人年", L, A, X)]),
    ("万平方米", "新增孵化面积31.97万平方米。", [(31.97, "万平方米", L, A, X)]),
    ("件/万人", "每万人有效发明专利拥有量达到38件。", [(38, "件/万人", L, A, X)]),
    ("篇/天", "文献下载服务平均每天15000篇。", [(15000, "篇/天", L, A, X)]),
    ("件/万人 written out", "发明专利拥有量达到38件/万人。", [(38, "件/万人", L, A, X)]),
    ("万 before a count unit", "服务企业1.2万家。", [(1.2, "万家", L, A, X)]),
    ("余 after 万", "参与群众1.5万余人,投入资金50余万元。",
     [(1.5, "万人", L, A, "approx"), (50, "万元", L, A, "approx")]),
    ("模拟 is not 拟", "开展地震应急模拟演练3次。", [(3, "次", L, A, X)]),
    ("Chinese 三十万元", "给予奖励三十万元。", [(30, "万元", L, A, X)]),
    ("Chinese 一万二千", "服务企业一万二千家。", [(12000, "家", L, A, X)]),
    ("score", "绩效评价85分,为良好。", [(85, "分", L, A, X)]),
    ("家(次)", "累计为605家(次)企业提供融资周转资金34.8亿元。",
     [(605, "家(次)", L, A, X), (34.8, "亿元", L, A, X)]),
    # -- qualifiers --------------------------------------------------------------------------------
    ("约", "新增孵化面积约2.5万平方米。", [(2.5, "万平方米", L, A, "approx")]),
    ("左右", "新增省科技型中小企业1000家左右。", [(1000, "家", L, A, "approx")]),
    ("余 stays approx", "处理各类专利纠纷案件520余起。", [(520, "起", L, A, "approx")]),
    ("多", "培育企业10多家。", [(10, "家", L, A, "approx")]),
    ("以上", "新认定市级众创空间20家以上。", [(20, "家", L, A, "at_least")]),
    ("超过", "集聚创客人才超过10万人。", [(10, "万人", L, A, "at_least")]),
    ("突破", "新材料产业产值突破1000亿元。", [(1000, "亿元", L, A, "at_least")]),
    ("不超过", "单个项目资助额度不超过500万元。", [(500, "万元", L, A, "at_most")]),
    ("以内", "管理费用控制在5%以内。", [(5, "%", L, A, "at_most")]),
    ("range ~", "引进或在海外建立的研发机构数量达到5~10家。", [(5, "家", L, A, "range", 10)]),
    ("range -", "重点建设5-8家创新合作园。", [(5, "家", L, A, "range", 8)]),
    ("range 至", "选取10至20家企业开展试点。", [(10, "家", L, A, "range", 20)]),
    ("range 到", "每年支持3到5项重大专项。", [(3, "项", L, A, "range", 5)]),
    ("Chinese range", "新建三至五家研究院。", [(3, "家", L, A, "range", 5)]),
    ("range with %", "研发投入年均增长10%~15%。", [(10, "%", "yoy_pct", A, "range", 15)]),
    # -- relations ---------------------------------------------------------------------------------
    ("较上年度增加", "共减免企业所得税31.76亿元,较上年度增加30.6%。",
     [(31.76, "亿元", L, A, X), (30.6, "%", "yoy_pct", A, X)]),
    ("下降 is negative", "发明专利授权312件,同比下降4.6%。",
     [(312, "件", L, A, X), (-4.6, "%", "yoy_pct", A, X)]),
    ("分别增长", "专利申请总量为60839件,授权总量为46254件,同比分别增长25.26%和37.85%。",
     [(60839, "件", L, A, X), (46254, "件", L, A, X), (25.26, "%", "yoy_pct", A, X),
      (37.85, "%", "yoy_pct", A, X)]),
    ("pp change", "新产品产值率35.2%,提高4个百分点。",
     [(35.2, "%", L, A, X), (4, "个百分点", "pp_change", A, X)]),
    ("pp gap", "增长9.8%,增速比规上工业高4.4个百分点。",
     [(9.8, "%", "yoy_pct", A, X), (4.4, "个百分点", "pp_diff", A, X)]),
    ("翻两番", "高新技术企业五年翻两番。", [(4, "倍", "multiple", A, X)]),
    ("翻番", "技术交易额比上年翻番。", [(2, "倍", "multiple", A, X)]),
    ("N倍 as a level", "撬动社会资本3.2亿元,实现10倍放大效应。",
     [(3.2, "亿元", L, A, X), (10, "倍", L, A, X)]),
    ("是上年的N倍", "技术合同成交额5.7亿元,是上年的1.5倍。",
     [(5.7, "亿元", L, A, X), (1.5, "倍", "multiple", A, X)]),
    ("share", "预计全社会研发投入可达185亿元,占GDP比例达2.35%。",
     [(185, "亿元", L, E, X), (2.35, "%", L, E, X)]),
    ("rank", "科技进步相对变化水平再次位居全省第一。", [(1, "位次", "rank", A, X)]),
    ("two ranks", "创新能力位居全国城市第八、计划单列市第二。",
     [(8, "位次", "rank", A, X), (2, "位次", "rank", A, X)]),
    ("rank continued after a comma", "科技成果转化指数排名全省第11,宁波第2。",
     [(11, "位次", "rank", A, X), (2, "位次", "rank", A, X)]),
    ("rank with 位", "全国科技创新百强县市排名跃居第6位。", [(6, "位次", "rank", A, X)]),
    ("分别达到 list", "入选人数分别达到100人、300人。", [(100, "人", L, A, X), (300, "人", L, A, X)]),
    ("累计分别 … 和", "累计分别达517家和921家。", [(517, "家", L, A, X), (921, "家", L, A, X)]),
    ("X家、Y家", "新认定雏鹰企业330家、青蓝企业83家。", [(330, "家", L, A, X), (83, "家", L, A, X)]),
    ("unit shared with the next item", "分别新建10和20家研发中心。", [(10, "家", L, A, X), (20, "家", L, A, X)]),
    ("index value", "两化融合发展水平总指数达到90。", [(90, "指数", L, A, X)]),
    ("连续N年 as a streak", "市创投引导基金自2009年起连续六年被评为全国十佳引导基金。", [(6, "年", L, A, X)]),
    # -- status ------------------------------------------------------------------------------------
    ("有望 → estimate", "新材料产业产值有望突破1000亿元。", [(1000, "亿元", L, E, "at_least")]),
    ("预期 … 预计", "有效数达994家,预期全年有效数预计可突破千家大关。",
     [(994, "家", L, A, X), (1000, "家", L, E, "at_least")]),
    ("到20XX年 → target", "到2020年,建成50家产业技术研究院。", [(50, "家", L, T, X)]),
    ("力争 → target", "力争发放金额达到3000万元。", [(3000, "万元", L, T, X)]),
    ("确保 → target", "确保技术交易额达到70亿元。", [(70, "亿元", L, T, X)]),
    ("明确 … 以上 → target", "明确70%以上的市级财政科技经费用于支持企业。", [(70, "%", L, T, "at_least")]),
    ("争取 in a summary is achieved", "争取国家农业科技成果转化项目6项。", [(6, "项", L, A, X)]),
    ("第一批 is not a rank", "第一批认定高新技术企业319家。", [(319, "家", L, A, X)]),
    ("连续三年 qualifying a rank", "連續三年居寧波第1。", [(1, "位次", "rank", A, X)]),
    ("traditional characters", "有效高新技術企業數達994家。", [(994, "家", L, A, X)]),
    ("traditional unit kept as written", "完成規上工業企業研發費用84.2億元。", [(84.2, "億元", L, A, X)]),
    ("千家 after 突破", "高新技術企業突破千家大關。", [(1000, "家", L, A, "at_least")]),
    # -- issue 12: lists, brackets, ranks, fractions, status scope --------------------------------
    ("rank after a share in a list", "规上工业研发费用占营业收入的2.72%、全省第一。",
     [(2.72, "%", L, A, X), (1, "位次", "rank", A, X)]),
    ("ranks after counts in a list", "新增省科技型中小企业2213家、全省第三;新增高新技术企业550家、全省第二。",
     [(2213, "家", L, A, X), (3, "位次", "rank", A, X), (550, "家", L, A, X), (2, "位次", "rank", A, X)]),
    ("rank after what is counted", "8家企业入选省科技领军企业,入选数全市第一。",
     [(8, "家", L, A, X), (1, "位次", "rank", A, X)]),
    ("rank after 新增数", "省级企业研究院新增数全市第二。", [(2, "位次", "rank", A, X)]),
    ("bracketed comparison figures", "万人有效发明专利拥有量达到18.1件,远高于全国(6.3)、全省(12.9)平均水平。",
     [(18.1, "件", L, A, X), (6.3, "件", L, A, X), (12.9, "件", L, A, X)]),
    ("bracketed comparison after a per-person figure", "每万人有效发明专利拥有量27.6件,高于全省(22.4)。",
     [(27.6, "件/万人", L, A, X), (22.4, "件/万人", L, A, X)]),
    ("qualifier shared by a list", "专利申请量和授权量分别突破5.8万件和4.6万件。",
     [(5.8, "万件", L, A, "at_least"), (4.6, "万件", L, A, "at_least")]),
    ("qualifier shared without 分别", "新增企业超过100家和200家。",
     [(100, "家", L, A, "at_least"), (200, "家", L, A, "at_least")]),
    ("the second item's own qualifier stays", "分别突破100家和近200家。",
     [(100, "家", L, A, "at_least"), (200, "家", L, A, "approx")]),
    ("unit shared by a list", "研发费用占比和新产品产值率分别提高2.3个和1.5个百分点。",
     [(2.3, "个百分点", "pp_change", A, X), (1.5, "个百分点", "pp_change", A, X)]),
    ("万 completed by the next item", "分别新增1.2万和3.4万家。", [(1.2, "万家", L, A, X), (3.4, "万家", L, A, X)]),
    ("百分之 growth", "市级财政科技支出增长百分之二十。", [(20, "%", "yoy_pct", A, X)]),
    ("百分之 share with 超过", "比重超过百分之六十。", [(60, "%", L, A, "at_least")]),
    ("百分之 with a decimal", "研发投入强度达到百分之二点五。", [(2.5, "%", L, A, X)]),
    ("百分之 with Arabic digits", "覆盖率达到百分之95。", [(95, "%", L, A, X)]),
    ("fraction with a slash", "高新技术企业数量约占全省的1/3。", [(1 / 3, "分之", L, A, "approx")]),
    ("三分之一以上", "研发投入占全市的三分之一以上。", [(1 / 3, "分之", L, A, "at_least")]),
    ("约占 a percentage", "技术交易额约占全省的12%。", [(12, "%", L, A, "approx")]),
    ("change of rank", "我市排名较上年提高49位,跃居第41位。",
     [(49, "位", "rank_change", A, X), (41, "位次", "rank", A, X)]),
    ("change of rank after a rank", "区域创新能力居全市第三,较上年提升2位。",
     [(3, "位次", "rank", A, X), (2, "位", "rank_change", A, X)]),
    ("fall in rank is negative", "综合排名下降3位。", [(-3, "位", "rank_change", A, X)]),
    ("高于… N个百分点 is a gap", "研发费用增长15.7%,高于全市平均水平2.3个百分点。",
     [(15.7, "%", "yoy_pct", A, X), (2.3, "个百分点", "pp_diff", A, X)]),
    ("有望 ends at its clause", "预计研发投入有望突破2.0%,全年实现高新技术产业投资17.2亿元,同比增长21.6%。",
     [(2.0, "%", L, E, "at_least"), (17.2, "亿元", L, A, X), (21.6, "%", "yoy_pct", A, X)]),
    ("预计 continues its subject", "研发经费支出预计达到270亿元,占地区生产总值比重2.45%。",
     [(270, "亿元", L, E, X), (2.45, "%", L, E, X)]),
    ("预计 with its growth", "预计全年技术交易额达到50亿元,同比增长12%。",
     [(50, "亿元", L, E, X), (12, "%", "yoy_pct", E, X)]),
    ("力争 ends at its clause", "力争研发投入达到2.6%,全年完成技术交易额10亿元。",
     [(2.6, "%", L, T, X), (10, "亿元", L, A, X)]),
    ("advert before the title on its line", "【推广】注册即送88元红包,日赚300元>>某区科学技术局2021年工作总结\n新认定企业12家。",
     [(12, "家", L, A, X)]),
    ("万亿元", "规上工业营业收入首次突破1万亿元,达到1.2万亿元。",
     [(1, "万亿元", L, A, "at_least"), (1.2, "万亿元", L, A, X)]),
    ("万亿 for 万亿元", "全市金融机构贷款余额达到3.5万亿,同比增长9.1%。",
     [(3.5, "万亿元", L, A, X), (9.1, "%", "yoy_pct", A, X)]),
    ("Chinese 一万亿元", "工业总产值迈上一万亿元台阶。", [(1, "万亿元", L, A, X)]),
    ("Chinese 两万三千亿元", "工业总产值达两万三千亿元。", [(23000, "亿元", L, A, X)]),
    ("千元", "人均科普经费达到5千元。", [(5, "千元", L, A, X)]),
    ("unit outside the codebook", "累计合作设立子基金16只。", [(16, "只", L, A, X)]),
    ("unit outside the codebook with a qualifier", "发放科技贷款200余笔。", [(200, "笔", L, A, "approx")]),
    ("breadcrumb before the title", "首页 > 信息公开 > 某区科技局2021年工作总结\n新认定企业12家。", [(12, "家", L, A, X)]),
]

TRAPS: list[tuple[str, str]] = [
    ("一带一路", "贯彻“一带一路”战略,推进一带一路建设。"),
    ("一流", "建设世界一流高科技园区。"),
    ("统一", "形成全市统一技术交易平台。"),
    ("进一步", "进一步加强知识产权保护。"),
    ("一批", "推进一批重大产业化项目落地。"),
    ("document number", "根据国办发〔2016〕28号文件精神。"),
    ("document number with brackets", "已由省委正式发文(浙委发[2015]27号)。"),
    ("session ordinals", "深入贯彻党的十八届三中、四中全会精神。"),
    ("plenum in a list", "十八大和十八届三中、四中、五中、六中全会精神。"),
    ("five-year plan", "编制“十三五”科技创新规划,开展十四五前期研究。"),
    ("named programme", "深入实施3315计划和泛3315计划。"),
    ("quoted programme", "深入实施“3315计划”。"),
    ("enumeration 一是", "一是创新政策导向更加突出。"),
    ("enumeration (一)", "(一)指导思想\n(二)基本原则"),
    ("enumeration 1.", "1.市场主体。\n2、政府引导。"),
    ("page metadata", "时间:2015-04-14 15:40\n来源:办公室"),
    ("month and day", "3月25日至27日,科技部调研组来杭。"),
    ("meeting ordinal", "经市政府第91次常务会议审议通过。"),
    ("contest ordinal", "在第十六届“浙洽会”等展会现场开展执法。"),
    ("three big plans", "完成三大规划编制。"),
    ("list announcement 个", "落实四个组合拳。"),
    ("list announcement 项", "落实两项税收优惠政策。"),
    ("二次创业", "撬动民营经济二次创业。"),
    ("award grade", "获国家技术发明二等奖。"),
    ("T800", "碳纤维T800等一批产品下线。"),
    ("3D", "3D打印材料及控制部件。"),
    ("version number", "加快推动梦想4.0创新工场建设。"),
    ("chemical name", "甘油加氢制备1.3-丙二醇。"),
    ("technical specification", "5MW以上等级风力发电机组叶片设计技术。"),
    ("list name", "吸引世界500强企业设立研发中心。"),
    ("第三方", "培育第三方技术交易机构。"),
    ("three-year plan", "落实三年行动计划。"),
    ("policy rule", "科技人员离岗创业的,5年内保留原单位人事关系。"),
    ("千人计划 unquoted", "与国家千人计划联谊会合作。"),
    ("policy name N条", "贯彻落实市人才新政27条。"),
    ("disaster day", "组织开展5.12防灾减灾日宣传活动。"),
    ("phone number", "咨询电话: 55883683"),
    ("contest session", "组织开展十三届中国创新创业大赛。"),
    ("campaign name", "打造科技合作品牌活动——千企百校万里行。"),
    ("slogan", "大众创业、万众创新。"),
    ("period of an evaluation", "开展了2011-2014科技专项资金绩效评价。"),
    ("five aspects", "重点抓好以下五个方面。"),
    ("quoted slogan", "基本完成“八翻番、四提升”年度目标任务。"),
    ("first tier", "跻身全国大城市第一方阵。"),
    ("year in Chinese digits", "二〇一四年工作回顾"),
    ("index number of a web page", "113302820029365B/2025-186542"),
    ("之一", "入围全国小微企业创业创新城市示范之一。"),
    ("one-to-one", "组织专家深入企业一对一重点帮扶。"),
    ("first driving force", "把科技创新作为引领发展的第一驱动力。"),
    ("a key year", "也是科技工作谋划推进的关键一年。"),
    ("one team", "着力打造一支科技创新铁军队伍。"),
    ("零部件", "关键基础零部件技术。"),
    ("千亿级", "围绕十大千亿级产业。"),
    ("N+X policy", "落实示范区“1+X”政策和2+X政策体系。"),
    ("year alone", "2014年,我市科技工作稳步推进。"),
    # -- issue 12 ------------------------------------------------------------------------------------
    ("第一批 after a scope is an ordinal", "列入全省第一批试点。"),
    ("一流 统一 一带一路 in one sentence", "与一流高校共建统一平台,服务一带一路建设。"),
    ("科技创新2025 unquoted", "实施科技创新2025重大专项。"),
    ("十三五 and 3315计划 together", "推进十三五规划和3315计划。"),
    ("bracketed year", "在《中国城市科技创新发展报告》(2019)中名列前茅。"),
    ("bracketed document number", "依据管理办法(甬科知〔2019〕21号)执行。"),
    ("bracketed phase", "天使投资引导基金(第二期)运作良好。"),
    ("bracketed figure that compares nothing", "推进项目(3.5)建设。"),
    ("a goal of being first is not a rank", "争创全省第一。"),
    ("first of its kind is not a rank", "成为全市第一家上市企业。"),
    ("ranked words without a figure", "研发投入、全省第一的目标。"),
    ("a date with slashes", "2019/12/01召开推进会。"),
    ("千亿级 is a class", "打造两个万亿级产业集群。"),
    ("三位一体 is a word", "构建三位一体工作格局。"),
]


@pytest.mark.parametrize(("name", "text", "expected"), PATTERNS, ids=[p[0] for p in PATTERNS])
def test_pattern(name: str, text: str, expected: list[tuple]) -> None:
    assert facts(text) == [tuple(float(v) if isinstance(v, int) else v for v in e) for e in expected]


@pytest.mark.parametrize(("name", "text"), TRAPS, ids=[t[0] for t in TRAPS])
def test_trap_yields_nothing(name: str, text: str) -> None:
    assert facts(text) == []

