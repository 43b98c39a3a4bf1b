// Chinese names for the api's codes.
export const categories: Record<string, string> = {
  water: '水管漏水', electric: '电路照明', elevator: '电梯', gas: '燃气', access: '门禁', public_facility: '公共设施',
  sanitation: '环境卫生', greenery: '绿化', parking: '停车', security: '安全', property_service: '物业服务',
  funds: '维修资金', neighbor: '邻里关系', pets: '宠物', community_life: '社区生活', other: '其他',
};

export const repairStates: Record<string, string> = {
  submitted: '已提交', accepted: '已受理', assigned: '已派单', in_progress: '维修中', paused: '暂停待料',
  resolved: '已完成待评价', closed: '已关闭', rejected: '已驳回', cancelled: '已撤销',
};

export const bodies: Record<string, string> = {
  property: '物业', owners_committee: '业委会', residents_committee: '居委会', party_secretary: '党支部书记', street_admin: '街道',
};

export const roleNames: Record<string, string> = {
  resident: '居民', owner: '业主', property_staff: '物业', owners_committee: '业委会', residents_committee: '居委会',
  party_secretary: '党支部书记', street_admin: '街道',
};

export const threadKinds: Record<string, string> = {
  discussion: '讨论', solicitation: '意见征集', volunteer: '志愿者招募', proposal: '自治议题',
};

export const opinionKinds: Record<string, string> = {
  complaint: '投诉', suggestion: '建议', question: '咨询', praise: '表扬',
};

export const caseStates: Record<string, string> = { open: '待处理', responded: '已响应', resolved: '已解决', closed: '已关闭' };

export const caseKinds: Record<string, string> = {
  repair: '报修', opinion: '意见', proposal: '议题', thread: '议事帖', hotspot: '热点', meeting_action: '会议事项', question: '咨询',
};

export const choices: Record<string, string> = { yes: '同意', no: '反对', abstain: '弃权' };

export const ballotStatus: Record<string, string> = { scheduled: '未开始', open: '投票中', closed: '已结束' };

export const label = (table: Record<string, string>, code: string | null | undefined) => (code ? table[code] ?? code : '');

const shanghai = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
});

export const when = (iso: string | null | undefined) => (iso ? shanghai.format(new Date(iso)) : '');
